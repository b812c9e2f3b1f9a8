import AgentCore
import AgentRuntime
import FoundationEssentials
import Synchronization

/// `PKIToolkit` on OpenSSL 3 through the owners in this folder.
package struct OpenSSLToolkit: PKIToolkit {
    private let keys = ParsedKeyCache()

    package init() {
    }
    package func generateKey(_ type: KeyType) throws -> Data {
        let key = try PrivateKey.generate(type)
        let pem = try key.pemData()
        keys.remember(key, as: pem)
        return pem
    }

    package func publicKey(ofKey keyPEM: Data) throws -> Data {
        try keys.key(keyPEM, source: "private key").publicKeyDER()
    }

    package func makeCSR(keyPEM: Data, commonName: String, sans: [SubjectAltName]) throws -> Data {
        let key = try keys.key(keyPEM, source: "private key")
        return try CertificateSigningRequest.make(key: key, commonName: commonName, subjectAltNames: sans).pemData()
    }

    package func inspectRequest(_ csrPEM: Data) throws -> (publicKeyDER: Data, subjectAltNames: [SubjectAltName]) {
        let request = try CertificateSigningRequest(pemData: csrPEM, source: "certificate signing request")
        try request.verifySignature()
        return (try request.publicKeyDER(), request.subjectAltNames)
    }

    package func sign(csrPEM: Data, caCertPEM: Data, caKeyPEM: Data, validityDays: Int, notBefore: Date) throws -> Data
    {
        let authority = try CertificateAuthority(
            certificate: Certificate(pemData: caCertPEM, source: "CA certificate"),
            key: keys.key(caKeyPEM, source: "CA key"))
        let request = try CertificateSigningRequest(pemData: csrPEM, source: "certificate signing request")
        let issued = try authority.sign(request, validityDays: validityDays, notBefore: notBefore)
        return try Certificate.pemData(of: [issued, authority.certificate])
    }

    package func inspect(certificatesPEM: Data, source: String) throws -> [CertificateFacts] {
        try Certificate.loadChain(pemData: certificatesPEM, source: source).map { certificate in
            CertificateFacts(
                subjectCommonName: certificate.subjectCommonName, subject: certificate.subject,
                issuer: certificate.issuer,
                subjectAltNames: certificate.subjectAltNames, notBefore: certificate.notBefore,
                notAfter: certificate.notAfter,
                isCA: certificate.isCA, publicKeyDER: try certificate.publicKeyDER(),
                keyUsages: certificate.keyUsages, extendedKeyUsages: certificate.extendedKeyUsages)
        }
    }

    package func verify(chainPEM: Data, trustedPEM: Data, at time: Date) throws {
        let chain = try Certificate.loadChain(pemData: chainPEM, source: "certificate")
        let trusted = try Certificate.loadChain(pemData: trustedPEM, source: "ca.crt")
        // Certificates after the leaf (the CA the document appends) are only candidates: ca.crt alone anchors trust.
        try ChainVerifier(trusted: trusted).verify(chain[0], intermediates: Array(chain.dropFirst()), at: time)
    }

    package func verify(chainPEM: Data, trustedPEM: Data, at time: Date, usage: CertificateUsage) throws {
        let chain = try Certificate.loadChain(pemData: chainPEM, source: "certificate")
        let trusted = try Certificate.loadChain(pemData: trustedPEM, source: "CA certificate")
        try ChainVerifier(trusted: trusted).verify(
            chain[0], intermediates: Array(chain.dropFirst()), at: time, usage: usage)
    }

    package func makeCertificateAuthority(_ spec: CertificateSpec, keyPEM: Data, issuedAt: Date) throws -> Data {
        let key = try keys.key(keyPEM, source: "\(spec.name) key")
        return try CertificateAuthority.makeSelfSigned(spec, key: key, issuedAt: issuedAt).certificate.pemData()
    }

    package func issue(_ spec: CertificateSpec, keyPEM: Data, caCertPEM: Data, caKeyPEM: Data, issuedAt: Date) throws
        -> Data
    {
        let authority = try authority(for: spec, caCertPEM: caCertPEM, caKeyPEM: caKeyPEM)
        let key = try keys.key(keyPEM, source: "\(spec.name) key")
        return try authority.issue(spec, for: key, issuedAt: issuedAt).pemData()
    }

    package func makeCSR(for spec: CertificateSpec, keyPEM: Data) throws -> Data {
        let key = try keys.key(keyPEM, source: "\(spec.name) key")
        return try CertificateSigningRequest.make(key: key, spec: spec).pemData()
    }

    package func sign(csrPEM: Data, as spec: CertificateSpec, caCertPEM: Data, caKeyPEM: Data, issuedAt: Date) throws
        -> Data
    {
        let authority = try authority(for: spec, caCertPEM: caCertPEM, caKeyPEM: caKeyPEM)
        let request = try CertificateSigningRequest(pemData: csrPEM, source: "certificate request for \(spec.name)")
        return try authority.sign(request, as: spec, issuedAt: issuedAt).pemData()
    }

    package func publicKeyPEM(ofKey keyPEM: Data) throws -> Data {
        try keys.key(keyPEM, source: "private key").publicKeyPEM()
    }

    package func randomBytes(_ count: Int) throws -> Data { try SecureRandom.bytes(count) }

    // The files are named after the spec's issuer (ca, front-proxy-ca), so errors say which CA was unreadable.
    private func authority(
        for spec: CertificateSpec, caCertPEM: Data,
        caKeyPEM: Data
    ) throws -> CertificateAuthority {
        let issuer = spec.issuer ?? "CA"
        return try CertificateAuthority(
            certificate: Certificate(pemData: caCertPEM, source: "\(issuer).crt"),
            key: keys.key(caKeyPEM, source: "\(issuer).key"))
    }
}

/// Private keys parsed once per toolkit: OpenSSL 3's PEM decoder takes about 0.8 ms a key (six times what making an
/// EC key takes), and one certs run reads the CA key for every certificate it signs and each new key again to sign
/// and to check it.
final class ParsedKeyCache: Sendable {
    // PrivateKey is a class, so the dictionary is not Sendable; the mutex is what makes sharing it safe.
    private struct Keys: @unchecked Sendable { var byPEM: [Data: PrivateKey] = [:] }
    private let keys = Mutex(Keys())

    /// The key of `pem`, parsed on first use; throws as `PrivateKey(pemData:source:)` does.
    func key(_ pem: Data, source: String) throws -> PrivateKey {
        if let key = keys.withLock({ $0.byPEM[pem] }) { return key }
        let key = try PrivateKey(pemData: pem, source: source)
        remember(key, as: pem)
        return key
    }

    /// Records a key whose PEM is already known (a key just generated).
    func remember(_ key: PrivateKey, as pem: Data) {
        let entry = Keys(byPEM: [pem: key])
        keys.withLock { $0.byPEM.merge(entry.byPEM) { _, new in new } }
    }
}
