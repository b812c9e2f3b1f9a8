import AgentCore

/// How one component's wait went, for people and for JSON.
package struct ComponentHealth: Codable, Equatable, Sendable {
    /// `kubelet`, `kube-apiserver`, ...
    package var component: String
    /// The URLs asked, in order.
    package var urls: [String]
    package var healthy: Bool
    /// Seconds from the start of the wait until every URL had answered `ok`; nil when it never did.
    package var secondsToHealthy: Double?
    /// HTTP attempts made (refused connections included).
    package var attempts: Int
    /// The last failed attempt, e.g. `GET http://127.0.0.1:10248/healthz: connection refused`.
    package var lastFailure: String?
}

/// What the wait-control-plane step found: each component's time to healthy and, when the deadline passed, why.
package struct ControlPlaneReport: Codable, Equatable, Sendable {
    package var components: [ComponentHealth]
    /// Seconds the whole wait took.
    package var secondsTotal: Double
    /// Empty when everything became healthy.
    package var causes: [ControlPlaneDiagnosis]

    /// "kubelet 0.41s, kube-apiserver 2.10s, ..." (or "not healthy" per component).
    package var summary: String {
        components.map { health in
            "\(health.component) \(health.secondsToHealthy.map(APIWaitSummary.seconds) ?? "not healthy")"
        }.joined(separator: ", ")
    }
}

/// The control plane did not become healthy before the deadline; carries the report with its causes.
package struct ControlPlaneWaitError: Error, CustomStringConvertible, ExitStatusProviding {
    package var report: ControlPlaneReport
    /// The timeout in seconds.
    package var timeout: Double

    /// Same exit status as wait-api's deadline (4).
    package var exitStatus: ExitStatus { .apiTimeout }

    /// "the control plane was not healthy within 4m (kubelet 0.10s, kube-scheduler not healthy); causes: ..."
    package var description: String {
        let unhealthy = report.components.filter { !$0.healthy }.map(\.component).joined(separator: ", ")
        return
            "the control plane was not healthy within \(APIWaitError.format(timeout)): \(unhealthy) did not answer ok "
            + "(\(report.summary)). Why:\n" + report.causes.map { "  - \($0.line)" }.joined(separator: "\n")
    }
}
