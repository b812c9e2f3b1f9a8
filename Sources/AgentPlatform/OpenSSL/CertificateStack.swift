import AgentCore
import AgentRuntime
import COpenSSL
import FoundationEssentials

/// Owner of a STACK_OF(X509) that borrows its certificates from `members`, freed with sk_X509_free.
package final class CertificateStack {
    /// The stack handle.
    package let pointer: OpaquePointer
    // The stack holds no references of its own; these keep the X509s alive.
    private let members: [Certificate]

    /// A stack of `certificates` in order; throws `chainVerifyFailed` on allocation failure (sk_X509_push).
    package init(_ certificates: [Certificate], action: String) throws {
        pointer = try OpenSSLError.check(copenssl_sk_X509_new_null(), .chainVerifyFailed, action)
        members = certificates
        for cert in certificates where copenssl_sk_X509_push(pointer, cert.pointer) <= 0 {
            throw OpenSSLError.fromQueue(.chainVerifyFailed, action)
        }
    }

    deinit {
        copenssl_sk_X509_free(pointer)
    }
}
