/// Sends one HTTP request and returns any HTTP status; throws only transport failures
/// (`HTTPClientError`). The real one is `HTTPClient` (libcurl); tests use a scripted double.
protocol HTTPTransport: AnyObject {
    func send(_ request: HTTPRequest) throws -> HTTPResponse
}

extension HTTPClient: HTTPTransport {}

/// Cheap "does anything listen there" probe used while the API port still refuses connections.
protocol TCPConnectProbe {
    func canConnect(host: String, port: Int, timeout: Duration) -> TCPProbe.Result
}
