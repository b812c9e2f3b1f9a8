/// A file the agent wants on the node: absolute path (inside `--root`), content and mode.
package struct RenderedFile: Equatable, Sendable {
    package enum Kind: String, Codable, Sendable {
        case manifest
        case unit
    }

    package let path: String
    package let content: String
    package let mode: UInt16
    package let kind: Kind
}
