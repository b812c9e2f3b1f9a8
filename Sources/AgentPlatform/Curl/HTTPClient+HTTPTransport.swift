import AgentRuntime

extension HTTPClient: HTTPTransport {}

extension HTTPClientError: HTTPTransportFailure {
    /// The port's kind for this libcurl failure.
    package var kind: HTTPTransportFailureKind {
        switch code {
        case .connectionRefused: return .connectionRefused
        case .timeout: return .timeout
        case .dnsFailure: return .dnsFailure
        case .tls: return .tls
        case .connectionReset: return .connectionReset
        case .transport: return .transport
        case .setup: return .setup
        case .credentials: return .credentials
        }
    }
}
