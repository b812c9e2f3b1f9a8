/// A file the agent wants on the node: absolute path (inside `--root`), content and mode.
package struct RenderedFile: Equatable, Sendable {
    package enum Kind: String, Codable, Sendable {
        case manifest
        case unit
        /// A component's configuration file beside the manifests (audit policy, KubeletConfiguration, ...).
        case config
    }

    package let path: String
    package let content: String
    package let mode: UInt16
    package let kind: Kind
}

/// A directory the agent wants on the node with the mode it is created with (the audit log directory, 0700).
package struct RenderedDirectory: Equatable, Sendable {
    package let path: String
    package let mode: UInt16
}
