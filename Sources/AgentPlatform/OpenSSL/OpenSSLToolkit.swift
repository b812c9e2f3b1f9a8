import AgentCore
import AgentRuntime
import FoundationEssentials

/// `PKIToolkit` on OpenSSL 3 through the owners in this folder.
package struct OpenSSLToolkit: PKIToolkit {

    package init() {
    }
    package func generateKey(_ type: KeyType) throws -> Data { try PrivateKey.generate(type).pemData() }

    package func publicKey(ofKey keyPEM: Data) throws -> Data { try PrivateKey(pemData: keyPEM, source: "private key").publicKeyDER() }

    package func makeCSR(keyPEM: Data, commonName: String, sans: [SubjectAltName]) throws -> Data {
        let key = try PrivateKey(pemData: keyPEM, source: "private key")
        return try CertificateSigningRequest.make(key: key, commonName: commonName, subjectAltNames: sans).pemData()
    }

    package func inspectRequest(_ csrPEM: Data) throws -> (publicKeyDER: Data, subjectAltNames: [SubjectAltName]) {
        let request = try CertificateSigningRequest(pemData: csrPEM, source: "certificate signing request")
        try request.verifySignature()
        return (try request.publicKeyDER(), request.subjectAltNames)
    }

    package func sign(csrPEM: Data, caCertPEM: Data, caKeyPEM: Data, validityDays: Int, notBefore: Date) throws -> Data {
        let authority = try CertificateAuthority(certificate: Certificate(pemData: caCertPEM, source: "CA certificate"),
                                                 key: PrivateKey(pemData: caKeyPEM, source: "CA key"))
        let request = try CertificateSigningRequest(pemData: csrPEM, source: "certificate signing request")
        let issued = try authority.sign(request, validityDays: validityDays, notBefore: notBefore)
        return try Certificate.pemData(of: [issued, authority.certificate])
    }

    package func inspect(certificatesPEM: Data, source: String) throws -> [CertificateFacts] {
        try Certificate.loadChain(pemData: certificatesPEM, source: source).map { certificate in
            CertificateFacts(subjectCommonName: certificate.subjectCommonName, subject: certificate.subject, issuer: certificate.issuer,
                             subjectAltNames: certificate.subjectAltNames, notBefore: certificate.notBefore, notAfter: certificate.notAfter,
                             isCA: certificate.isCA, publicKeyDER: try certificate.publicKeyDER())
        }
    }

    package func verify(chainPEM: Data, trustedPEM: Data, at time: Date) throws {
        let chain = try Certificate.loadChain(pemData: chainPEM, source: "certificate")
        let trusted = try Certificate.loadChain(pemData: trustedPEM, source: "ca.crt")
        // Certificates after the leaf (the CA the document appends) are only candidates: ca.crt alone anchors trust.
        try ChainVerifier(trusted: trusted).verify(chain[0], intermediates: Array(chain.dropFirst()), at: time)
    }
}
