import AgentCore

/// What one TCP connect attempt found (`TCPConnectProbe`).
package enum TCPConnectResult: Equatable {
    /// The connection was accepted (and closed again at once).
    case connected
    /// Nothing listens on the port (ECONNREFUSED).
    case refused
    /// No answer within the timeout.
    case timedOut
    /// Anything else, with the system's words (name resolution, unreachable network, ...).
    case failed(String)
}
