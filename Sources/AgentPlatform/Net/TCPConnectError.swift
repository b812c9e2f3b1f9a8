import AgentCore
import AgentRuntime

/// A TCP connection that could not be made: to which target, why, in the system's words.
package struct TCPConnectError: Error, CustomStringConvertible, Equatable {
    /// What kind of failure this is; tests and callers compare this.
    package enum Code: String, Equatable {
        /// The host name did not resolve (getaddrinfo).
        case unresolved
        /// Nothing listens on the port (ECONNREFUSED).
        case refused
        /// No answer before the deadline (poll timeout or ETIMEDOUT).
        case timedOut
        /// Any other failure (unreachable network, no socket, ...).
        case failed
    }

    /// What kind of failure this is.
    package let code: Code
    /// "host:port", with IPv6 literals in brackets.
    package let target: String
    /// The system's words (strerror, gai_strerror) or our own reason.
    package let cause: String

    /// What the operator should do next; empty when there is nothing useful to say.
    package var nextStep: String {
        switch code {
        case .unresolved: return "Check the host name"
        case .refused: return "Check that the API server runs and listens on this port"
        case .timedOut: return "Check that the peer is up and that no firewall drops the port"
        case .failed: return ""
        }
    }

    /// "could not connect to TARGET: CAUSE. NEXT STEP"
    package var description: String {
        let text = "could not connect to \(target): \(cause)"
        return nextStep.isEmpty ? text : "\(text). \(nextStep)"
    }
}
