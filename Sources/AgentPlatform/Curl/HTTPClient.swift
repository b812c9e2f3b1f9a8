import AgentCore
import AgentRuntime
import CCurl
import Foundation
import Glibc

/// HTTP/HTTPS client over one libcurl easy handle; sequential use only, connections are kept alive between requests.
package final class HTTPClient {
    /// TLS and credential settings applied to every request.
    package let tls: HTTPTLSConfig
    /// Value of the User-Agent header.
    package let userAgent: String
    private let easy: CurlEasy

    /// Creates a client; throws `HTTPClientError` (`setup`) when libcurl cannot be started.
    package init(tls: HTTPTLSConfig = HTTPTLSConfig(), userAgent: String) throws {
        self.tls = tls
        self.userAgent = userAgent
        easy = try CurlEasy()
    }

    /// The agent's User-Agent, `master-agent/<version> (node <name>)`.
    package static func userAgent(version: String, nodeName: String) -> String {
        "master-agent/\(version) (node \(nodeName))"
    }

    /// Sends `request` and returns the response whatever its status; throws `HTTPClientError` when no response arrived (curl_easy_perform).
    package func send(_ request: HTTPRequest) throws -> HTTPResponse {
        let token = try bearerToken(for: request)
        try easy.begin(method: request.method.rawValue, url: request.url)
        try easy.set(CURLOPT_URL, request.url)
        try easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        // Signals cannot carry curl's timeouts in a multi-threaded process.
        try easy.set(CURLOPT_NOSIGNAL, 1)
        // The agent talks to API servers it was configured with; an http_proxy in the
        // environment (e.g. of a postinst) must not reroute 127.0.0.1.
        try easy.set(CURLOPT_PROXY, "")
        try easy.set(CURLOPT_TIMEOUT_MS, HTTPClient.milliseconds(request.timeout))
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, HTTPClient.milliseconds(request.connectTimeout))
        try easy.set(CURLOPT_USERAGENT, userAgent)
        try setMethodAndBody(request)
        try setTLS()

        var lines = request.headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
        // An empty "Expect:" stops libcurl from waiting for "100 Continue" before large bodies.
        lines.append("Expect:")
        if let token { lines.append("Authorization: Bearer \(token)") }
        let headerList = try CurlStringList(lines)
        try easy.set(CURLOPT_HTTPHEADER, list: headerList)

        let sink = ResponseSink()
        let context = Unmanaged.passUnretained(sink).toOpaque()
        try easy.set(CURLOPT_WRITEFUNCTION, callback: ResponseSink.receiveBody)
        try easy.set(CURLOPT_WRITEDATA, pointer: context)
        try easy.set(CURLOPT_HEADERFUNCTION, callback: ResponseSink.receiveHeader)
        try easy.set(CURLOPT_HEADERDATA, pointer: context)

        try withExtendedLifetime((sink, headerList)) { try easy.perform() }

        return HTTPResponse(
            status: easy.long(CURLINFO_RESPONSE_CODE) ?? 0, headers: sink.headers,
            body: sink.body, timing: timing())
    }

    private func setMethodAndBody(_ request: HTTPRequest) throws {
        switch request.method {
        case .get: try easy.set(CURLOPT_HTTPGET, 1)
        case .head: try easy.set(CURLOPT_NOBODY, 1)
        case .post: try easy.set(CURLOPT_POST, 1)
        case .put, .patch, .delete: try easy.set(CURLOPT_CUSTOMREQUEST, request.method.rawValue)
        }
        guard request.method == .post || request.body != nil else { return }
        let body = request.body ?? Data()
        // POSTFIELDSIZE must precede COPYPOSTFIELDS so libcurl copies exactly that many bytes.
        try easy.set(CURLOPT_POSTFIELDSIZE_LARGE, offT: Int64(body.count))
        // The extra NUL (not sent) keeps the pointer non-NULL for an empty body: given NULL,
        // libcurl would read the body from its default read callback, i.e. stdin.
        var bytes = [UInt8](body)
        bytes.append(0)
        try bytes.withUnsafeMutableBytes { try easy.set(CURLOPT_COPYPOSTFIELDS, pointer: $0.baseAddress) }
    }

    private func setTLS() throws {
        if tls.insecureSkipTLSVerify {
            try easy.set(CURLOPT_SSL_VERIFYPEER, 0)
            try easy.set(CURLOPT_SSL_VERIFYHOST, 0)
        } else {
            try easy.set(CURLOPT_SSL_VERIFYPEER, 1)
            try easy.set(CURLOPT_SSL_VERIFYHOST, 2)
        }
        if let ca = tls.caPEM {
            try easy.set(CURLOPT_CAINFO_BLOB, blob: ca)
        } else if let caFile = tls.caFile {
            try easy.set(CURLOPT_CAINFO, caFile)
        }
        if let cert = tls.clientCertificatePEM {
            try easy.set(CURLOPT_SSLCERT_BLOB, blob: cert)
        } else if let cert = tls.clientCertFile {
            try easy.set(CURLOPT_SSLCERT, cert)
        }
        if let key = tls.clientKeyPEM {
            try easy.set(CURLOPT_SSLKEY_BLOB, blob: key)
        } else if let key = tls.clientKeyFile {
            try easy.set(CURLOPT_SSLKEY, key)
        }
    }

    private func bearerToken(for request: HTTPRequest) throws -> String? {
        guard let path = tls.bearerTokenFile else { return nil }
        let failure = { (cause: String) in
            HTTPClientError(
                code: .credentials, method: request.method.rawValue, url: request.url, curlCode: 0,
                curlMessage: "bearer token file \(path): \(cause)", tlsVerifyResult: nil, osErrno: 0)
        }
        let text: String
        do {
            guard let file = try RootedFileSystem(root: "/").readFile(path) else { throw failure("does not exist") }
            guard let decoded = String(validating: file.data, as: UTF8.self) else { throw failure("is not UTF-8 text") }
            text = decoded
        } catch let error as FileSystemError {
            throw failure("cannot be read (\(String(cString: strerror(error.errno))))")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw failure("is empty") }
        guard !token.contains(where: \.isNewline) else { throw failure("holds more than one line") }
        return token
    }

    private func timing() -> HTTPResponse.Timing {
        func duration(_ info: CURLINFO) -> Duration { .microseconds(easy.offT(info) ?? 0) }
        return HTTPResponse.Timing(
            total: duration(CURLINFO_TOTAL_TIME_T),
            nameLookup: duration(CURLINFO_NAMELOOKUP_TIME_T),
            connect: duration(CURLINFO_CONNECT_TIME_T),
            tlsHandshake: duration(CURLINFO_APPCONNECT_TIME_T),
            firstByte: duration(CURLINFO_STARTTRANSFER_TIME_T),
            newConnections: easy.long(CURLINFO_NUM_CONNECTS) ?? 0)
    }

    // libcurl reads 0 as "no timeout", so anything shorter than 1 ms becomes 1 ms.
    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int(max(1, min(ms, Int64(Int32.max))))
    }
}

/// Collects one response's header lines and body from libcurl's callbacks.
private final class ResponseSink {
    package var body = Data()
    package var headers: [String: String] = [:]

    // CURLOPT_WRITEFUNCTION: `context` is this sink, passed unretained for the transfer.
    package static let receiveBody: curl_write_callback = { buffer, size, count, context in
        let length = size * count
        guard let buffer, let context else { return length }
        let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
        sink.body.append(UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: length)
        return length
    }

    // CURLOPT_HEADERFUNCTION: called once per header line, status lines included.
    package static let receiveHeader: curl_write_callback = { buffer, size, count, context in
        let length = size * count
        guard let buffer, let context else { return length }
        let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
        let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: length), as: UTF8.self)
        sink.take(line)
        return length
    }

    private func take(_ line: String) {
        // Each status line (a "100 Continue" before the final one) starts a new header block.
        if line.hasPrefix("HTTP/") {
            headers = [:]
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        if let existing = headers[name] {
            headers[name] = existing + ", " + value
        } else {
            headers[name] = value
        }
    }
}
