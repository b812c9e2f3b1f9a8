import AgentCore
import AgentRuntime
import COpenSSL
import FoundationEssentials

/// Verifies certificate chains against a fixed set of trusted CA certificates at an injected time.
package struct ChainVerifier {
    /// The trust anchors (usually the certificates of ca.crt).
    package let trusted: [Certificate]

    /// A verifier trusting exactly `trusted`.
    package init(trusted: [Certificate]) {
        self.trusted = trusted
    }

    /// Verifies `leaf` (with helper `intermediates`) up to a trusted CA as of `time`, for `usage` (TLS server use
    /// unless told otherwise; a CA is checked as a CA, a client certificate as a TLS client);
    /// throws `chainVerifyFailed` whose `verifyResult` carries X509_verify_cert_error_string
    /// (X509_STORE_add_cert, X509_STORE_CTX_init, X509_VERIFY_PARAM_set_time, X509_verify_cert).
    package func verify(
        _ leaf: Certificate, intermediates: [Certificate] = [], at time: Date, usage: CertificateUsage = .serverAuth
    ) throws {
        ERR_clear_error()
        let action = "verify certificate \(leaf.subject) (issuer \(leaf.issuer))"
        let store = try TrustStore(trusted, action: action)
        let untrusted = try CertificateStack(intermediates, action: action)
        let context = try OpenSSLError.check(X509_STORE_CTX_new(), .chainVerifyFailed, action)
        defer { X509_STORE_CTX_free(context) }
        try OpenSSLError.check(
            X509_STORE_CTX_init(context, store.pointer, leaf.pointer, untrusted.pointer), .chainVerifyFailed, action)
        X509_VERIFY_PARAM_set_time(
            X509_STORE_CTX_get0_param(context), time_t(time.timeIntervalSince1970.rounded(.down)))
        try OpenSSLError.check(X509_STORE_CTX_set_purpose(context, Self.purpose(usage)), .chainVerifyFailed, action)
        guard X509_verify_cert(context) != 1 else { return }
        let code = X509_STORE_CTX_get_error(context)
        let result = OpenSSLError.VerifyResult(
            code: code,
            reason: String(cString: X509_verify_cert_error_string(Int(code))),
            depth: X509_STORE_CTX_get_error_depth(context))
        ERR_clear_error()
        var error = OpenSSLError(
            code: .chainVerifyFailed, action: action, cause: result.description,
            hint: Self.hint(for: result.kind))
        error.verifyResult = result
        throw error
    }

    // A CA is checked for what it does (sign certificates); a client-only certificate must not fail as a server.
    private static func purpose(_ usage: CertificateUsage) -> Int32 {
        switch usage {
        case .certificateAuthority: return X509_PURPOSE_ANY
        case .clientAuth: return X509_PURPOSE_SSL_CLIENT
        case .serverAuth, .serverAndClientAuth: return X509_PURPOSE_SSL_SERVER
        }
    }

    /// The operator's next step for a verification failure kind.
    package static func hint(for kind: OpenSSLError.VerifyResult.Kind) -> String {
        switch kind {
        case .expired: return "Renew the certificate (master-agent certs renew)"
        case .notYetValid: return "Check the clock of this machine and of the CA host"
        case .untrustedIssuer: return "The certificate was not issued by this ca.crt; sign it with the matching CA key"
        case .badSignature: return "The certificate is damaged or was not signed by this CA; sign it again"
        case .other: return ""
        }
    }
}
