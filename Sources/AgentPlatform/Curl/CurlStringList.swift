import AgentCore
import AgentRuntime
import CCurl

/// Sole owner of a libcurl `curl_slist` (e.g. request headers); deinit frees it with curl_slist_free_all.
package final class CurlStringList {
    /// The list head for CURLOPT_HTTPHEADER; nil while empty. Valid while this object lives.
    private(set) var head: UnsafeMutablePointer<curl_slist>?

    /// Builds a list holding `items` in order; throws `HTTPClientError` (`setup`) when curl_slist_append fails.
    /// curl_slist_append returns NULL only when out of memory.
    package init(_ items: [String]) throws {
        for item in items {
            guard let next = curl_slist_append(head, item) else {
                throw HTTPClientError(
                    code: .setup, method: "build", url: "header list", curlCode: 0,
                    curlMessage: "curl_slist_append failed (out of memory)",
                    tlsVerifyResult: nil, osErrno: 0)
            }
            head = next
        }
    }

    deinit { curl_slist_free_all(head) }
}
