import FoundationEssentials

/// HTTP methods the agent uses against the Kubernetes API.
package enum HTTPMethod: String, Equatable {
    case get = "GET", post = "POST", put = "PUT", patch = "PATCH", delete = "DELETE", head = "HEAD"
}

/// One HTTP request: what to send and how long to wait for it.
package struct HTTPRequest: Equatable {
    /// Request method.
    package var method: HTTPMethod
    /// Absolute URL, e.g. `https://127.0.0.1:6443/readyz`.
    package var url: String
    /// Extra request headers by name; sent sorted by name so requests are reproducible.
    package var headers: [String: String]
    /// Request body, sent as-is; nil sends none.
    package var body: Data?
    /// Limit for the whole exchange (connect, TLS, send, receive).
    package var timeout: Duration
    /// Limit for the TCP connect and TLS handshake alone.
    package var connectTimeout: Duration

    /// Builds a request; timeouts default to 10 s total and 3 s for the connect.
    package init(
        method: HTTPMethod = .get, url: String, headers: [String: String] = [:], body: Data? = nil,
        timeout: Duration = .seconds(10), connectTimeout: Duration = .seconds(3)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }

    /// Builds a request carrying `body` encoded as JSON with `Content-Type` and `Accept` set; throws the encoder's error.
    package static func json<Body: Encodable>(
        _ method: HTTPMethod, url: String, body: Body,
        timeout: Duration = .seconds(10),
        connectTimeout: Duration = .seconds(3)
    ) throws -> HTTPRequest {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return HTTPRequest(
            method: method, url: url,
            headers: ["Content-Type": "application/json", "Accept": "application/json"],
            body: try encoder.encode(body), timeout: timeout, connectTimeout: connectTimeout)
    }
}
