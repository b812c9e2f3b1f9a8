import FoundationEssentials

/// Reads the port out of the URLs the config holds (already validated by `ConfigLoader`).
package enum URLPort {
    /// The explicit port of `url`, or nil.
    package static func of(_ url: String) -> Int? { URLComponents(string: url)?.port }
}
