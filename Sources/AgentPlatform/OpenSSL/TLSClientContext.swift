import AgentCore
import AgentRuntime
import COpenSSL
import FoundationEssentials

/// Owner of a client SSL_CTX that requires TLS 1.2+ and verifies peers against given CA certificates; freed with SSL_CTX_free.
package final class TLSClientContext {
    /// The SSL_CTX handle.
    package let pointer: OpaquePointer

    /// A verifying client context trusting exactly `trusted` (with `verify` false: one that completes the handshake
    /// whatever the peer presents, only to read its certificate); throws `handshakeFailed` on setup errors
    /// (SSL_CTX_new, SSL_CTX_set_min_proto_version, SSL_CTX_set_verify, X509_STORE_add_cert).
    package init(trusted: [Certificate], verify: Bool = true) throws {
        ERR_clear_error()
        let action = "set up TLS client"
        pointer = try OpenSSLError.check(SSL_CTX_new(TLS_client_method()), .handshakeFailed, action)
        guard copenssl_SSL_CTX_set_min_proto_version(pointer, TLS1_2_VERSION) == 1 else {
            throw OpenSSLError.fromQueue(.handshakeFailed, action)
        }
        SSL_CTX_set_verify(pointer, verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nil)
        // Only the given CAs: the system trust store must not vouch for a cluster's API server.
        let store = try OpenSSLError.check(SSL_CTX_get_cert_store(pointer), .handshakeFailed, action)
        for cert in trusted where X509_STORE_add_cert(store, cert.pointer) != 1 {
            throw OpenSSLError.fromQueue(.handshakeFailed, action)
        }
    }

    deinit {
        SSL_CTX_free(pointer)
    }
}
