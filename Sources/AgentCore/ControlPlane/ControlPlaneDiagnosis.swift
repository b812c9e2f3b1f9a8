/// One explained reason, with the next step for people.
package struct ControlPlaneDiagnosis: Codable, Equatable, Sendable {
    package var cause: StallCause
    /// The component it concerns; nil for the node as a whole (the kubelet unit, the runtime).
    package var component: String?
    /// What the evidence says, e.g. `port 10259 is held by python3 (pid 4242)`.
    package var detail: String
    /// What to do next, one sentence.
    package var nextStep: String

    package init(cause: StallCause, component: String?, detail: String, nextStep: String) {
        self.cause = cause
        self.component = component
        self.detail = detail
        self.nextStep = nextStep
    }

    /// The line for people: `cause (component): detail. next step`.
    package var line: String {
        "\(cause.rawValue)\(component.map { " (\($0))" } ?? ""): \(detail). \(nextStep)"
    }
}
