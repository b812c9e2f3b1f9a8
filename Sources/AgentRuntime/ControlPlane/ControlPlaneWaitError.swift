import AgentCore

/// The control plane did not become healthy before the deadline; carries the report with its causes.
package struct ControlPlaneWaitError: Error, CustomStringConvertible, ExitStatusProviding {
    package var report: ControlPlaneReport
    /// The timeout in seconds.
    package var timeout: Double
    /// True when the wait ended before the deadline because a failure repeats on every attempt (TLS, 401).
    package var gaveUpEarly = false

    package init(report: ControlPlaneReport, timeout: Double, gaveUpEarly: Bool = false) {
        self.report = report
        self.timeout = timeout
        self.gaveUpEarly = gaveUpEarly
    }

    /// As wait-api: 4 for the deadline, 1 for a failure that waiting cannot fix.
    package var exitStatus: ExitStatus { gaveUpEarly ? .failure : .apiTimeout }

    /// "the control plane was not healthy within 4m: kube-scheduler did not answer ok (kubelet 0.10s, ...). Why: ..."
    package var description: String {
        let unhealthy = report.components.filter { !$0.healthy }.map(\.component).joined(separator: ", ")
        let when =
            gaveUpEarly
            ? "after \(APIWaitSummary.seconds(report.secondsTotal)) (not waiting out \(APIWaitError.format(timeout)): "
                + "a TLS or credential failure repeats on every attempt)"
            : "within \(APIWaitError.format(timeout))"
        return
            "the control plane was not healthy \(when): \(unhealthy) did not answer ok "
            + "(\(report.summary)). Why:\n" + report.causes.map { "  - \($0.line)" }.joined(separator: "\n")
    }
}
