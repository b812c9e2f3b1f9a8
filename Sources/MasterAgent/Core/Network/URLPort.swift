import FoundationEssentials

/// Reads the port out of the URLs the config holds (already validated by `ConfigLoader`).
enum URLPort {
    /// The explicit port of `url`, or nil.
    static func of(_ url: String) -> Int? { URLComponents(string: url)?.port }
}
