import AgentCore
import AgentRuntime
import CCurl
import FoundationEssentials
import Glibc

/// An HTTP exchange that did not complete: libcurl's failure, classified, with curl's own words and the URL.
package struct HTTPClientError: Error, CustomStringConvertible, Equatable {
    /// Kind of failure (the transport port's kinds); tests and retry logic compare this.
    package typealias Code = HTTPTransportFailureKind

    /// Kind of failure.
    package var code: Code
    /// Method of the request, e.g. `GET`.
    package var method: String
    /// URL of the request.
    package var url: String
    /// libcurl's CURLcode as a number (0 for failures outside libcurl).
    package var curlCode: Int
    /// libcurl's own words: the CURLOPT_ERRORBUFFER text, else curl_easy_strerror.
    package var curlMessage: String
    /// The X509 verify result (X509_verify_cert_error_string of CURLINFO_SSL_VERIFYRESULT) when verification failed.
    package var tlsVerifyResult: String?
    /// errno of the failed socket call (CURLINFO_OS_ERRNO), 0 when none.
    package var osErrno: Int32

    /// Reads "could not METHOD URL: CAUSE (curl N: words). NEXT STEP".
    package var description: String {
        "could not \(method) \(url): \(cause). \(nextStep)"
    }

    /// The cause alone, with curl's words and the verify result: "TLS failed (curl 60: ...)".
    package var cause: String {
        var cause = summary
        if curlCode != 0 || !curlMessage.isEmpty {
            cause += curlCode != 0 ? " (curl \(curlCode): \(curlMessage))" : " (\(curlMessage))"
        }
        if let tlsVerifyResult { cause += "; certificate verify result: \(tlsVerifyResult)" }
        return cause
    }

    /// Picks the code for a failed curl_easy_perform from its CURLcode, the socket errno (CURLINFO_OS_ERRNO) and whether the URL is HTTPS.
    package static func classify(_ result: CURLcode, osErrno: Int32, isHTTPS: Bool) -> Code {
        switch result {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .dnsFailure
        case CURLE_COULDNT_CONNECT:
            // COULDNT_CONNECT also covers unreachable hosts; only ECONNREFUSED means "nobody listens".
            return osErrno == ECONNREFUSED ? .connectionRefused : .transport
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND,
            CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_USE_SSL_FAILED,
            CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT:
            return .tls
        case CURLE_GOT_NOTHING:
            return .connectionReset
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR:
            if osErrno == ECONNRESET || osErrno == EPIPE { return .connectionReset }
            // A send/receive failure with no socket errno on HTTPS came from the TLS layer,
            // e.g. the TLS 1.3 "certificate required" alert, which arrives after the handshake.
            return isHTTPS && osErrno == 0 ? .tls : .transport
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_FAILED_INIT, CURLE_URL_MALFORMAT, CURLE_NOT_BUILT_IN,
            CURLE_BAD_FUNCTION_ARGUMENT, CURLE_UNKNOWN_OPTION, CURLE_OUT_OF_MEMORY:
            return .setup
        default:
            return .transport
        }
    }

    private var summary: String {
        switch code {
        case .connectionRefused: return "connection refused"
        case .timeout: return "timed out"
        case .dnsFailure: return "host name did not resolve"
        case .tls: return "TLS failed"
        case .connectionReset: return "connection reset by the server"
        case .transport: return "transport failed"
        case .setup: return "libcurl setup failed"
        case .credentials: return "bearer token unavailable"
        }
    }

    /// What the operator should check next, one sentence.
    package var nextStep: String {
        switch code {
        case .connectionRefused: return "Check that the server is running and listening on that port."
        case .timeout: return "Check that the server is running and not overloaded, or raise the timeout."
        case .dnsFailure: return "Check the host name in the URL."
        case .tls:
            return "Check the CA file (--cacert), the client certificate and key, and the server's certificate names."
        case .connectionReset:
            // Under TLS 1.3 a server rejects a missing client certificate after the client
            // finished its handshake; its alert often loses the race with the TCP reset.
            return url.lowercased().hasPrefix("https:")
                ? "Check the server's log and whether it requires a client certificate (--cert/--key); retrying may help."
                : "Check the server's log; retrying may help."
        case .transport: return "Check the server and the network path to it."
        case .setup: return "Check the URL; if it is valid, report this as a bug."
        case .credentials: return "Check the bearer token file."
        }
    }
}
