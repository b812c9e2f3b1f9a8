import AgentCore
import FoundationEssentials

/// Reads a PKCS#10 request for the supervisor's approval rules. The real one is OpenSSL (`OpenSSLToolkit`).
package protocol SigningRequestReader {
    /// The subject, names and key algorithm of a PEM request whose self-signature verifies; throws when the PEM
    /// is not a request or its signature does not match its key.
    func readSigningRequest(_ pem: Data) throws -> CertificateRequestFacts
}
