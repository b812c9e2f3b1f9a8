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
