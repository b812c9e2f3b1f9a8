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

    // The modern profile issues each entry of a `PKITree` with these; the legacy profile keeps the methods above.
    // Certificates made here are valid from `CertificateSpec.validity(issuedAt:)`: backdated 5 minutes, as kubeadm's.

    /// A self-signed CA for a CA `spec` (its subject, SANs, CA usages and validity) on `keyPEM`, as PEM;
    /// throws when `spec` is not a self-signed CA or the key is unreadable.
    func makeCertificateAuthority(_ spec: CertificateSpec, keyPEM: Data, issuedAt: Date) throws -> Data
    /// A certificate for `spec` on the public half of `keyPEM`, signed by the CA; returns that certificate alone, as PEM.
    /// Throws when `spec` is a CA, the CA key is not the CA certificate's, or a PEM input is unreadable.
    func issue(_ spec: CertificateSpec, keyPEM: Data, caCertPEM: Data, caKeyPEM: Data, issuedAt: Date) throws -> Data
    /// A CSR carrying `spec`'s subject (CN and O) and SANs, signed by `keyPEM`, for a CA on another host; as PEM.
    func makeCSR(for spec: CertificateSpec, keyPEM: Data) throws -> Data
    /// Signs a CSR as `spec`: the CSR gives only its public key, the CA adds `spec`'s usages and validity, never the
    /// CSR's extensions; returns the certificate alone, as PEM. Throws when the CSR's signature does not verify or its
    /// subject or SANs are not `spec`'s (a request for another entry or another master).
    func sign(csrPEM: Data, as spec: CertificateSpec, caCertPEM: Data, caKeyPEM: Data, issuedAt: Date) throws -> Data
    /// The public half of a PEM private key as SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY"), as sa.pub holds it.
    func publicKeyPEM(ofKey keyPEM: Data) throws -> Data
    /// Verifies the first certificate of `chainPEM` against `trustedPEM` at `time` for `usage` (a client
    /// certificate as a TLS client, a CA as any purpose), as `openssl verify -purpose` does.
    func verify(chainPEM: Data, trustedPEM: Data, at time: Date, usage: CertificateUsage) throws
    /// `count` bytes from a cryptographically secure generator (the encryption-at-rest key).
    func randomBytes(_ count: Int) throws -> Data
}

extension PKIToolkit {
    /// Whether the PEM request `csrPEM` is for `keyPEM`'s public key and asks for exactly `spec`'s names: then a rerun
    /// keeps it instead of writing the same request again. An unreadable request is not current.
    package func requestIsCurrent(_ csrPEM: Data, for spec: CertificateSpec, keyPEM: Data) throws -> Bool {
        guard let request = try? inspectRequest(csrPEM) else { return false }
        return request.publicKeyDER == (try publicKey(ofKey: keyPEM))
            && Set(request.subjectAltNames) == Set(spec.subjectAltNames)
    }
}
