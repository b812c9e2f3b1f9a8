import FoundationEssentials

/// One HTTP response as received, whatever its status code.
package struct HTTPResponse: Equatable {
    /// Where the time of one exchange went, as libcurl measured it.
    package struct Timing: Equatable {
        /// From start to the end of the transfer.
        package var total: Duration
        /// From start until the name was resolved.
        package var nameLookup: Duration
        /// From start until the TCP connection was up.
        package var connect: Duration
        /// From start until the TLS handshake was done; zero for plain HTTP.
        package var tlsHandshake: Duration
        /// From start until the first response byte arrived.
        package var firstByte: Duration
        /// New connections this exchange opened; 0 when it reused a kept-alive one.
        package var newConnections: Int

        package init(
            total: Duration, nameLookup: Duration, connect: Duration, tlsHandshake: Duration, firstByte: Duration,
            newConnections: Int
        ) {
            self.total = total
            self.nameLookup = nameLookup
            self.connect = connect
            self.tlsHandshake = tlsHandshake
            self.firstByte = firstByte
            self.newConnections = newConnections
        }
    }

    /// HTTP status code, e.g. 200.
    package var status: Int
    /// Response headers by lowercased name; repeated headers are joined with ", ".
    package var headers: [String: String]
    /// Response body bytes.
    package var body: Data
    /// Where the time went.
    package var timing: Timing

    package init(status: Int, headers: [String: String], body: Data, timing: Timing) {
        self.status = status
        self.headers = headers
        self.body = body
        self.timing = timing
    }

    /// True for a 2xx status.
    package var isSuccess: Bool { (200..<300).contains(status) }

    /// The body as UTF-8 text, with invalid bytes replaced.
    package var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The value of header `name` (any case), or nil.
    package func header(_ name: String) -> String? { headers[name.lowercased()] }
}
