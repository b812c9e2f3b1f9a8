import AgentCore
import AgentRuntime
import COpenSSL
import FoundationEssentials

/// Owner of an X509_STORE filled with trust anchors, freed with X509_STORE_free.
package final class TrustStore {
    /// The X509_STORE handle.
    package let pointer: OpaquePointer

    /// A store holding `certificates`; throws `chainVerifyFailed` when one cannot be added (X509_STORE_add_cert).
    package init(_ certificates: [Certificate], action: String) throws {
        pointer = try OpenSSLError.check(X509_STORE_new(), .chainVerifyFailed, action)
        for cert in certificates where X509_STORE_add_cert(pointer, cert.pointer) != 1 {
            throw OpenSSLError.fromQueue(.chainVerifyFailed, action)
        }
    }

    deinit {
        X509_STORE_free(pointer)
    }
}
