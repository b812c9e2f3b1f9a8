import AgentCore

/// How one step ended, as shown to people (one line) and to scripts (JSON).
package struct StepOutcome: Codable, Equatable, Sendable {
    package enum Status: String, Codable, Sendable {
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

    package let step: BootstrapStep
    package var status: Status
    package var message: String
    package var files: [FileReport] = []
    package var durationMilliseconds: Int = 0
    /// wait-control-plane: each component's time to healthy and, when it failed, the causes (absent otherwise).
    package var controlPlane: ControlPlaneReport? = nil

    package init(
        step: BootstrapStep, status: Status, message: String, files: [FileReport] = [], durationMilliseconds: Int = 0
    ) {
        self.step = step
        self.status = status
        self.message = message
        self.files = files
        self.durationMilliseconds = durationMilliseconds
    }

    /// Changed when any file was created, updated or removed, else unchanged.
    package static func fromFiles(_ step: BootstrapStep, _ files: [FileReport], message: String) -> StepOutcome {
        let changed = files.contains { $0.action != .unchanged }
        return StepOutcome(step: step, status: changed ? .changed : .unchanged, message: message, files: files)
    }
}
