import AgentCore

/// What happened (or, in a dry run, would happen) to one file.
package struct FileReport: Codable, Equatable, Sendable {
    package enum Action: String, Codable, Sendable {
        case created, updated, unchanged, removed
    }

    package let path: String
    package let action: Action
    /// Why, when it is not obvious: "mode 0644 -> 0600", "duplicate of kube-apiserver.yaml".
    package var detail: String?
    /// The unified diff, filled in dry runs only.
    package var diff: String?

    package init(path: String, action: Action, detail: String? = nil, diff: String? = nil) {
        self.path = path
        self.action = action
        self.detail = detail
        self.diff = diff
    }
}
