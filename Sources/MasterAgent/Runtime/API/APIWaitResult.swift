/// The stages of waiting for an API server.
enum APIWaitStage: String, Codable, Sendable {
    /// The port refuses connections; the agent sends TCP connect probes.
    case connecting
    /// The port accepts; the agent asks `/readyz` (or `/healthz`) until it says `ok`.
    case starting
    /// The server answered `ok`.
    case ready
}

/// One progress report of a wait, sent after every probe or request.
struct APIWaitProgress: Equatable, Sendable {
    /// Seconds since the wait began.
    var elapsed: Double
    /// Where the wait stands.
    var stage: APIWaitStage
    /// What the last attempt saw: why it failed, or that it succeeded.
    var reason: String?
    /// HTTP requests sent so far.
    var httpRequests: Int
    /// TCP connect probes made so far.
    var tcpProbes: Int
}

/// What a wait found: how long each stage took and what it cost.
struct APIWaitResult: Codable, Equatable, Sendable {
    /// Base URL waited for, e.g. `https://127.0.0.1:6443`.
    var url: String
    /// The health path that answered: `/readyz`, or `/healthz` on a server without it (v1.2).
    var healthPath: String
    /// Seconds from the start until the port accepted a connection.
    var secondsRefused: Double
    /// Seconds from the first accepted connection until the server answered `ok` (or until the wait ended).
    var secondsUnready: Double
    /// Seconds from the start until the wait ended.
    var secondsTotal: Double
    /// HTTP requests sent.
    var httpRequests: Int
    /// TCP connect probes made.
    var tcpProbes: Int
    /// The last attempt that failed, e.g. `GET https://127.0.0.1:6443/readyz: 500 [-]etcd failed: ...`.
    var lastFailure: String?
}
