import AgentCore
import AgentRuntime
import COpenSSL
import FoundationEssentials

/// An OpenSSL operation that failed: what was attempted on which object, and OpenSSL's own words.
package struct OpenSSLError: Error, CustomStringConvertible, Equatable {
    /// What kind of failure this is; tests and callers compare this.
    package enum Code: String, Equatable {
        /// Key generation failed (EVP_PKEY_generate).
        case keyGenerationFailed
        /// PEM or DER input could not be parsed.
        case decodeFailed
        /// An object could not be serialized to PEM or DER.
        case encodeFailed
        /// Building a name, extension, request or certificate failed.
        case buildFailed
        /// Signing a request or certificate failed (X509_REQ_sign, X509_sign).
        case signFailed
        /// A self-signature (CSR) did not verify.
        case signatureInvalid
        /// A private key does not belong to a certificate.
        case keyMismatch
        /// A certificate request asks for another subject or other names than the spec it is signed as.
        case requestMismatch
        /// The random generator could not deliver bytes (RAND_bytes).
        case randomFailed
        /// A certificate chain did not verify; `verifyResult` says why.
        case chainVerifyFailed
        /// A TCP peer refused the connection.
        case connectionRefused
        /// A TCP connect or TLS handshake did not finish in time.
        case timedOut
        /// A TCP connection could not be made for another reason (DNS, unreachable).
        case connectFailed
        /// The TLS handshake failed; `verifyResult` is set when certificate verification caused it.
        case handshakeFailed
    }

    /// Why X509 verification rejected a chain (X509_STORE_CTX_get_error, X509_verify_cert_error_string).
    package struct VerifyResult: Equatable, CustomStringConvertible {
        /// The broad reason, for callers that cannot see OpenSSL's constants.
        package enum Kind: Equatable { case expired, notYetValid, untrustedIssuer, badSignature, other }
        /// The X509_V_ERR_* value.
        package let code: Int32
        /// OpenSSL's text, e.g. "certificate has expired".
        package let reason: String
        /// Depth in the chain where verification failed (0 is the leaf).
        package let depth: Int32
        /// The broad reason derived from `code`.
        package var kind: Kind {
            switch code {
            case X509_V_ERR_CERT_HAS_EXPIRED: return .expired
            case X509_V_ERR_CERT_NOT_YET_VALID: return .notYetValid
            case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,
                X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
                X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
                return .untrustedIssuer
            case X509_V_ERR_CERT_SIGNATURE_FAILURE: return .badSignature
            default: return .other
            }
        }
        /// `reason` plus the depth, e.g. "certificate has expired (depth 0)".
        package var description: String { "\(reason) (depth \(depth))" }
    }

    /// What kind of failure this is.
    package let code: Code
    /// The verb and object, e.g. "sign certificate for CN=kube-apiserver".
    package let action: String
    /// OpenSSL's words (drained error queue or verify result) or our own reason.
    package let cause: String
    /// What the operator should do next; empty when there is nothing useful to say.
    package let hint: String
    /// Set for chain verification and TLS handshake failures caused by the peer's certificate.
    package var verifyResult: VerifyResult?

    /// "could not ACTION: CAUSE. HINT"
    package var description: String {
        var text = "could not \(action): \(cause)"
        if !hint.isEmpty { text += ". \(hint)" }
        return text
    }

    /// Builds an error whose cause is the drained OpenSSL error queue, or `fallback` when the queue is empty.
    package static func fromQueue(
        _ code: Code, _ action: String, fallback: String = "no error reported by OpenSSL",
        hint: String = ""
    ) -> OpenSSLError {
        let queue = drainErrorQueue()
        return OpenSSLError(code: code, action: action, cause: queue.isEmpty ? fallback : queue, hint: hint)
    }

    /// Pops every entry of OpenSSL's thread-local error queue into one "; "-joined string (ERR_get_error, ERR_error_string_n).
    package static func drainErrorQueue() -> String {
        var messages: [String] = []
        while true {
            let err = ERR_get_error()
            if err == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(err, &buffer, buffer.count)
            messages.append(String(cString: buffer))
        }
        return messages.joined(separator: "; ")
    }

    /// Turns a C status (1 means success, as most of libcrypto returns) into a thrown error carrying the queue.
    package static func check(_ status: Int32, _ code: Code, _ action: @autoclosure () -> String) throws {
        guard status == 1 else { throw fromQueue(code, action()) }
    }

    /// Unwraps a C pointer result, throwing with the drained queue when it is NULL.
    package static func check<T>(_ pointer: T?, _ code: Code, _ action: @autoclosure () -> String) throws -> T {
        guard let pointer else { throw fromQueue(code, action()) }
        return pointer
    }
}
