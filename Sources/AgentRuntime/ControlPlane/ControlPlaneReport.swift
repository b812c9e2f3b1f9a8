import AgentCore

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
