/// What happened (or, in a dry run, would happen) to one file.
struct FileReport: Codable, Equatable, Sendable {
    enum Action: String, Codable, Sendable {
        case created, updated, unchanged, removed
    }

    let path: String
    let action: Action
    /// Why, when it is not obvious: "mode 0644 -> 0600", "duplicate of kube-apiserver.yaml".
    var detail: String?
    /// The unified diff, filled in dry runs only.
    var diff: String?
}
