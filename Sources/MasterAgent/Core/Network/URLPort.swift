import Foundation

/// Reads host and port out of the URLs the config holds (already validated by `ConfigLoader`).
enum URLPort {
    /// The explicit port of `url`, or nil.
    static func of(_ url: String) -> Int? { URLComponents(string: url)?.port }

    /// The host of `url`, or nil.
    static func host(_ url: String) -> String? { URLComponents(string: url)?.host }
}
