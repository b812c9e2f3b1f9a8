/// How one step ended, as shown to people (one line) and to scripts (JSON).
struct StepOutcome: Codable, Equatable, Sendable {
    enum Status: String, Codable, Sendable {
        /// Ran and changed something on the node or in the cluster.
        case changed
        /// Ran and found everything already as wanted.
        case unchanged
        /// Ran; nothing to change or keep (a check, a wait).
        case done
        /// Deliberately not run; `message` says why.
        case skipped
        /// Ran and failed; `message` says what to do.
        case failed
        /// Asked for, but this version of the agent cannot do it yet.
        case notImplemented = "not-implemented"
    }

    let step: BootstrapStep
    var status: Status
    var message: String
    var files: [FileReport] = []
    var durationMilliseconds: Int = 0

    /// Changed when any file was created, updated or removed, else unchanged.
    static func fromFiles(_ step: BootstrapStep, _ files: [FileReport], message: String) -> StepOutcome {
        let changed = files.contains { $0.action != .unchanged }
        return StepOutcome(step: step, status: changed ? .changed : .unchanged, message: message, files: files)
    }
}
