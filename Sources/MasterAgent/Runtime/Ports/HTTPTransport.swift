/// Sends one HTTP request and returns any HTTP status; throws only transport failures
/// (`HTTPClientError`). The real one is `HTTPClient` (libcurl); tests use a scripted double.
protocol HTTPTransport: AnyObject {
    func send(_ request: HTTPRequest) throws -> HTTPResponse
}

extension HTTPClient: HTTPTransport {}

