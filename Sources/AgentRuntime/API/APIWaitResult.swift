import AgentCore

/// The stages of waiting for an API server.
package enum APIWaitStage: String, Codable, Sendable {
    /// The port refuses connections; the agent sends TCP connect probes.
    case connecting
    /// The port accepts; the agent asks `/readyz` (or `/healthz`) until it says `ok`.
    case starting
    /// The server answered `ok`.
    case ready
}

/// One progress report of a wait, sent after every probe or request.
package struct APIWaitProgress: Equatable, Sendable {
    /// Seconds since the wait began.
    package var elapsed: Double
    /// Where the wait stands.
    package var stage: APIWaitStage
    /// What the last attempt saw: why it failed, or that it succeeded.
    package var reason: String?
    /// HTTP requests sent so far.
    package var httpRequests: Int
    /// TCP connect probes made so far.
    package var tcpProbes: Int
}

/// What a wait found: how long each stage took and what it cost.
package struct APIWaitResult: Codable, Equatable, Sendable {
    /// Base URL waited for, e.g. `https://127.0.0.1:6443`.
    package var url: String
    /// The health path that answered: `/readyz`, or `/healthz` on a server without it (v1.2).
    package var healthPath: String
    /// Seconds from the start until the port accepted a connection.
    package var secondsRefused: Double
    /// Seconds from the first accepted connection until the server answered `ok` (or until the wait ended).
    package var secondsUnready: Double
    /// Seconds from the start until the wait ended.
    package var secondsTotal: Double
    /// HTTP requests sent.
    package var httpRequests: Int
    /// TCP connect probes made.
    package var tcpProbes: Int
    /// The last attempt that failed, e.g. `GET https://127.0.0.1:6443/readyz: 500 [-]etcd failed: ...`.
    package var lastFailure: String?
}
