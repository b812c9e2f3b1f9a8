import FoundationEssentials

/// One HTTP response as received, whatever its status code.
struct HTTPResponse: Equatable {
    /// Where the time of one exchange went, as libcurl measured it.
    struct Timing: Equatable {
        /// From start to the end of the transfer.
        var total: Duration
        /// From start until the name was resolved.
        var nameLookup: Duration
        /// From start until the TCP connection was up.
        var connect: Duration
        /// From start until the TLS handshake was done; zero for plain HTTP.
        var tlsHandshake: Duration
        /// From start until the first response byte arrived.
        var firstByte: Duration
        /// New connections this exchange opened; 0 when it reused a kept-alive one.
        var newConnections: Int
    }

    /// HTTP status code, e.g. 200.
    var status: Int
    /// Response headers by lowercased name; repeated headers are joined with ", ".
    var headers: [String: String]
    /// Response body bytes.
    var body: Data
    /// Where the time went.
    var timing: Timing

    /// True for a 2xx status.
    var isSuccess: Bool { (200..<300).contains(status) }

    /// The body as UTF-8 text, with invalid bytes replaced.
    var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The value of header `name` (any case), or nil.
    func header(_ name: String) -> String? { headers[name.lowercased()] }
}
