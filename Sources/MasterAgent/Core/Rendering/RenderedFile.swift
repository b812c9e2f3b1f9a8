/// A file the agent wants on the node: absolute path (inside `--root`), content and mode.
struct RenderedFile: Equatable, Sendable {
    enum Kind: String, Codable, Sendable {
        case manifest
        case unit
    }

    let path: String
    let content: String
    let mode: UInt16
    let kind: Kind
}
