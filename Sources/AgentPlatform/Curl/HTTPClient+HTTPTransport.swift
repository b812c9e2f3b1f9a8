import AgentRuntime

extension HTTPClient: HTTPTransport {}

extension HTTPClientError: HTTPTransportFailure {
    /// The port's kind for this libcurl failure (the same enum as `code`).
    package var kind: HTTPTransportFailureKind { code }
}
