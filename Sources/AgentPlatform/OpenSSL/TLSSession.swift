import AgentCore
import AgentRuntime
import COpenSSL
import FoundationEssentials
import Glibc

/// Owner of one client SSL over a TCP connection; freed with SSL_free before the socket closes.
package final class TLSSession {
    /// The SSL handle.
    package let pointer: OpaquePointer
    // Both must outlive the SSL: it reads the socket and refers to the context.
    private let context: TLSClientContext
    private let connection: TCPConnection

    /// A session on `connection`; `expectedName` (DNS name or IP) is sent as SNI when a DNS name and checked against
    /// the peer's SANs; throws `handshakeFailed` on setup errors (SSL_new, SSL_set_fd, SSL_set1_host, X509_VERIFY_PARAM_set1_ip_asc).
    package init(context: TLSClientContext, connection: TCPConnection, expectedName: String?) throws {
        ERR_clear_error()
        let action = "set up TLS session"
        pointer = try OpenSSLError.check(SSL_new(context.pointer), .handshakeFailed, action)
        self.context = context
        self.connection = connection
        try OpenSSLError.check(SSL_set_fd(pointer, connection.descriptor), .handshakeFailed, action)
        guard let expectedName else { return }
        if Self.isIPAddress(expectedName) {
            // IP addresses are matched against IP SANs and never sent as SNI (RFC 6066 forbids it).
            try OpenSSLError.check(
                X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(pointer), expectedName), .handshakeFailed, action)
        } else {
            guard copenssl_SSL_set_tlsext_host_name(pointer, expectedName) == 1 else {
                throw OpenSSLError.fromQueue(.handshakeFailed, action)
            }
            try OpenSSLError.check(SSL_set1_host(pointer, expectedName), .handshakeFailed, action)
        }
    }

    deinit {
        SSL_free(pointer)
    }

    private static func isIPAddress(_ text: String) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16)
        return inet_pton(AF_INET, text, &buffer) == 1 || inet_pton(AF_INET6, text, &buffer) == 1
    }

    /// Runs the client handshake; throws `handshakeFailed` (with `verifyResult` when the peer's certificate was
    /// rejected) or `timedOut` (SSL_connect, SSL_get_verify_result, SSL_get_error).
    package func handshake(action: String) throws {
        ERR_clear_error()
        let status = SSL_connect(pointer)
        guard status != 1 else { return }
        let savedErrno = errno
        let sslError = SSL_get_error(pointer, status)
        let verify = Int32(SSL_get_verify_result(pointer))
        if verify != X509_V_OK {
            ERR_clear_error()
            let result = OpenSSLError.VerifyResult(
                code: verify, reason: String(cString: X509_verify_cert_error_string(Int(verify))),
                depth: -1)
            var error = OpenSSLError(
                code: .handshakeFailed, action: action,
                cause: "certificate verify failed: \(result.reason)",
                hint: ChainVerifier.hint(for: result.kind))
            error.verifyResult = result
            throw error
        }
        let queue = OpenSSLError.drainErrorQueue()
        // With SO_RCVTIMEO on a blocking socket, an expired timeout surfaces as WANT_READ/WANT_WRITE or EAGAIN.
        let timedOut =
            sslError == SSL_ERROR_WANT_READ || sslError == SSL_ERROR_WANT_WRITE
            || (sslError == SSL_ERROR_SYSCALL && (savedErrno == EAGAIN || savedErrno == EWOULDBLOCK))
        if queue.isEmpty && timedOut {
            throw OpenSSLError(
                code: .timedOut, action: action, cause: "no TLS answer before the timeout",
                hint: "Check that the port serves TLS")
        }
        let cause: String
        if !queue.isEmpty {
            cause = queue
        } else if sslError == SSL_ERROR_SYSCALL || sslError == SSL_ERROR_ZERO_RETURN {
            cause = savedErrno == 0 ? "the peer closed the connection" : String(cString: strerror(savedErrno))
        } else {
            cause = "handshake ended with SSL error \(sslError)"
        }
        throw OpenSSLError(code: .handshakeFailed, action: action, cause: cause, hint: "Check that the port serves TLS")
    }

    /// The peer's leaf certificate (SSL_get1_peer_certificate); throws `handshakeFailed` when the peer sent none.
    package func peerCertificate(action: String) throws -> Certificate {
        let cert = try OpenSSLError.check(SSL_get1_peer_certificate(pointer), .handshakeFailed, action)
        return try Certificate(taking: cert)
    }

    /// The certificates the peer sent, leaf first (SSL_get_peer_cert_chain).
    package func peerChain() throws -> [Certificate] {
        guard let stack = SSL_get_peer_cert_chain(pointer) else { return [] }
        return try (0..<copenssl_sk_X509_num(stack)).compactMap { index in
            try copenssl_sk_X509_value(stack, index).map { try Certificate(retaining: $0) }
        }
    }

    /// The negotiated protocol, e.g. "TLSv1.3" (SSL_get_version).
    package var protocolVersion: String { String(cString: SSL_get_version(pointer)) }

    /// Sends close_notify without waiting for the peer's (SSL_shutdown); failures are irrelevant after the probe.
    package func shutdown() {
        _ = SSL_shutdown(pointer)
        ERR_clear_error()
    }
}
