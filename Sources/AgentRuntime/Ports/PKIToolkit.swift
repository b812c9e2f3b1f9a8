import AgentCore
import FoundationEssentials

/// The cryptography the certs step needs, on PEM data. The real one is OpenSSL (`OpenSSLToolkit`).
package protocol PKIToolkit {
    /// A new private key of `type`, as PEM.
    func generateKey(_ type: KeyType) throws -> Data
    /// The DER SubjectPublicKeyInfo of a PEM private key; throws when it cannot be read.
    func publicKey(ofKey keyPEM: Data) throws -> Data
    /// A CSR (CN `commonName`, SHA-256, our extension set, `sans`) signed by the key, as PEM.
    func makeCSR(keyPEM: Data, commonName: String, sans: [SubjectAltName]) throws -> Data
    /// The public key and names a PEM CSR asks for (its self-signature verified).
    func inspectRequest(_ csrPEM: Data) throws -> (publicKeyDER: Data, subjectAltNames: [SubjectAltName])
    /// Signs a CSR with the CA; returns the certificate followed by the CA certificate, as PEM.
    func sign(csrPEM: Data, caCertPEM: Data, caKeyPEM: Data, validityDays: Int, notBefore: Date) throws -> Data
    /// The certificates of a PEM file, leaf first.
    func inspect(certificatesPEM: Data, source: String) throws -> [CertificateFacts]
    /// Verifies the first certificate of `chainPEM` (others as intermediates) against `trustedPEM` at `time`.
    func verify(chainPEM: Data, trustedPEM: Data, at time: Date) throws
}
