import AgentCore
import AgentRuntime
import CCurl
import COpenSSL
import FoundationEssentials

/// Sole owner of one libcurl easy handle (curl_easy_init / curl_easy_cleanup), reused across requests so connections are kept alive.
package final class CurlEasy {
    // curl_global_init, which is not thread-safe, runs once before any handle; a static
    // let runs its initializer exactly once, under a lock.
    private static let globalInitResult: Result<Void, HTTPClientError> = {
        let global = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        guard global == CURLE_OK else {
            return .failure(
                HTTPClientError(
                    code: .setup, method: "initialise", url: "libcurl", curlCode: Int(global.rawValue),
                    curlMessage: String(cString: curl_easy_strerror(global)),
                    tlsVerifyResult: nil, osErrno: 0))
        }
        return .success(())
    }()

    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var method = ""
    private var url = ""

    /// Creates the handle (curl_global_init run once, then curl_easy_init); throws
    /// `HTTPClientError` (`setup`) when either fails.
    package init() throws {
        try CurlEasy.globalInitResult.get()
        guard let handle = curl_easy_init() else {
            throw HTTPClientError(
                code: .setup, method: "initialise", url: "libcurl", curlCode: 0,
                curlMessage: "curl_easy_init returned NULL", tlsVerifyResult: nil, osErrno: 0)
        }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Clears every option for a new request to `method` `url` (curl_easy_reset keeps live connections and caches); throws `HTTPClientError`.
    package func begin(method: String, url: String) throws {
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        self.method = method
        self.url = url
        // curl_easy_reset forgets the error buffer too, so it is set again per request.
        try check(ccurl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), "set CURLOPT_ERRORBUFFER")
    }

    /// Sets a long option (ccurl_easy_setopt_long); throws `HTTPClientError` (`setup`).
    package func set(_ option: CURLoption, _ value: Int) throws {
        try check(ccurl_easy_setopt_long(handle, option, value), "set option \(option.rawValue)")
    }

    /// Sets a string option; libcurl copies it (ccurl_easy_setopt_string); throws `HTTPClientError` (`setup`).
    package func set(_ option: CURLoption, _ value: String) throws {
        try check(ccurl_easy_setopt_string(handle, option, value), "set option \(option.rawValue)")
    }

    /// Sets a pointer option (ccurl_easy_setopt_pointer); the caller keeps `pointer` valid while libcurl uses it; throws `HTTPClientError`.
    package func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) throws {
        try check(ccurl_easy_setopt_pointer(handle, option, pointer), "set option \(option.rawValue)")
    }

    /// Sets a blob option such as CURLOPT_SSLCERT_BLOB; libcurl copies the bytes (CURL_BLOB_COPY), so they need not
    /// outlive the call; throws `HTTPClientError` (`setup`).
    package func set(_ option: CURLoption, blob data: Data) throws {
        var bytes = [UInt8](data)
        try bytes.withUnsafeMutableBytes { buffer in
            var blob = curl_blob(data: buffer.baseAddress, len: buffer.count, flags: UInt32(CURL_BLOB_COPY))
            try withUnsafeMutablePointer(to: &blob) { try set(option, pointer: UnsafeMutableRawPointer($0)) }
        }
    }

    /// Sets a curl_off_t option (ccurl_easy_setopt_off_t); throws `HTTPClientError` (`setup`).
    package func set(_ option: CURLoption, offT value: Int64) throws {
        try check(ccurl_easy_setopt_off_t(handle, option, curl_off_t(value)), "set option \(option.rawValue)")
    }

    /// Sets a data callback such as CURLOPT_WRITEFUNCTION (ccurl_easy_setopt_callback); throws `HTTPClientError`.
    package func set(_ option: CURLoption, callback: curl_write_callback?) throws {
        try check(ccurl_easy_setopt_callback(handle, option, callback), "set option \(option.rawValue)")
    }

    /// Sets a list option such as CURLOPT_HTTPHEADER (ccurl_easy_setopt_slist); `list` must outlive the transfer; throws `HTTPClientError`.
    package func set(_ option: CURLoption, list: CurlStringList) throws {
        try check(ccurl_easy_setopt_slist(handle, option, list.head), "set option \(option.rawValue)")
    }

    /// Runs the transfer (curl_easy_perform); throws `HTTPClientError` classified from the CURLcode, errno and verify result.
    package func perform() throws {
        let result = curl_easy_perform(handle)
        guard result != CURLE_OK else { return }
        let osErrno = Int32(truncatingIfNeeded: long(CURLINFO_OS_ERRNO) ?? 0)
        let isHTTPS = url.lowercased().hasPrefix("https:")
        let code = HTTPClientError.classify(result, osErrno: osErrno, isHTTPS: isHTTPS)
        var verifyResult: String?
        if code == .tls, let verify = long(CURLINFO_SSL_VERIFYRESULT), verify != Int(X509_V_OK) {
            verifyResult = String(cString: X509_verify_cert_error_string(verify))
        }
        throw HTTPClientError(
            code: code, method: method, url: url, curlCode: Int(result.rawValue),
            curlMessage: curlWords(result), tlsVerifyResult: verifyResult, osErrno: osErrno)
    }

    /// Reads a long info (ccurl_easy_getinfo_long), or nil when libcurl has none.
    package func long(_ info: CURLINFO) -> Int? {
        var value = 0
        return ccurl_easy_getinfo_long(handle, info, &value) == CURLE_OK ? value : nil
    }

    /// Reads a curl_off_t info such as CURLINFO_TOTAL_TIME_T (ccurl_easy_getinfo_off_t), or nil when libcurl has none.
    package func offT(_ info: CURLINFO) -> Int64? {
        var value: curl_off_t = 0
        return ccurl_easy_getinfo_off_t(handle, info, &value) == CURLE_OK ? Int64(value) : nil
    }

    // The one place a CURLcode from setopt becomes an error.
    private func check(_ result: CURLcode, _ step: @autoclosure () -> String) throws {
        guard result != CURLE_OK else { return }
        throw HTTPClientError(
            code: .setup, method: method, url: url, curlCode: Int(result.rawValue),
            curlMessage: "\(step()): \(curlWords(result))", tlsVerifyResult: nil, osErrno: 0)
    }

    private func curlWords(_ result: CURLcode) -> String {
        let buffered = String(cString: errorBuffer)
        return buffered.isEmpty ? String(cString: curl_easy_strerror(result)) : buffered
    }
}
