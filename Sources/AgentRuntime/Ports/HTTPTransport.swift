import AgentCore

/// Sends one HTTP request and returns any HTTP status; throws only transport failures
/// (`HTTPTransportFailure`). The real one is libcurl's `HTTPClient`; tests use a scripted double.
package protocol HTTPTransport: AnyObject {
    func send(_ request: HTTPRequest) throws -> HTTPResponse
}

/// A request that got no HTTP answer at all, in the transport port's own words: what kind of failure
/// it was (retry logic decides on it), the cause for messages and the operator's next step.
package protocol HTTPTransportFailure: Error, CustomStringConvertible {
    /// What kind of failure this was.
    var kind: HTTPTransportFailureKind { get }
    /// The cause alone, e.g. "TLS failed (curl 60: ...)".
    var cause: String { get }
    /// What the operator should check next, one sentence.
    var nextStep: String { get }
}

/// Kinds of transport failure the steps tell apart.
package enum HTTPTransportFailureKind: Equatable, Sendable {
    /// Nothing listens on the port (ECONNREFUSED).
    case connectionRefused
    /// The connect timeout or the total timeout ran out.
    case timeout
    /// The host name did not resolve.
    case dnsFailure
    /// The TLS handshake or certificate verification failed, or the peer rejected ours.
    case tls
    /// The peer reset or closed the connection before a full response.
    case connectionReset
    /// Any other failure on the way.
    case transport
    /// The request could not be set up (a bad URL, a missing feature): not worth retrying.
    case setup
    /// The credentials could not be read.
    case credentials
}
