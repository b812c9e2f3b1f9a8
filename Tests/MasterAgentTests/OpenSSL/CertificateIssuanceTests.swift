import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

final class CertificateIssuanceTests: XCTestCase {
    private typealias Support = OpenSSLTestSupport

    /// Writes ca.crt, apiserver.key, apiserver.csr and apiserver.crt (leaf + CA) as the certs step will.
    private func issue(into directory: URL, sans: [SubjectAltName] = Support.apiServerSANs)
        throws -> (ca: CertificateAuthority, key: PrivateKey, csr: CertificateSigningRequest, chain: [Certificate])
    {
        let ca = try Support.rootCA()
        let key = try Support.key("server")
        let csr = try CertificateSigningRequest.make(key: key, subjectAltNames: sans)
        let leaf = try ca.sign(csr, validityDays: 365, notBefore: Support.now)
        try Support.write(try ca.certificate.pemData(), "ca.crt", in: directory)
        try Support.write(try key.pemData(), "apiserver.key", in: directory)
        try Support.write(try csr.pemData(), "apiserver.csr", in: directory)
        try Support.write(try Certificate.pemData(of: [leaf, ca.certificate]), "apiserver.crt", in: directory)
        return (ca, key, csr, [leaf, ca.certificate])
    }

    func testOpenSSLVerifiesIssuedCertificateAgainstCA() throws {
        let dir = try Support.temporaryDirectory(for: self)
        _ = try issue(into: dir)
        let result = try Support.openssl(["verify", "-CAfile", "ca.crt", "apiserver.crt"], in: dir)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "apiserver.crt: OK")
    }

    func testOpenSSLListsExactlyTheRequestedSANs() throws {
        let dir = try Support.temporaryDirectory(for: self)
        let issued = try issue(into: dir)
        let listed = try Support.opensslSANs(certificateFile: dir.appendingPathComponent("apiserver.crt"))
        XCTAssertEqual(listed, Support.apiServerSANs)
        XCTAssertEqual(issued.chain[0].subjectAltNames, Support.apiServerSANs)
        XCTAssertEqual(issued.csr.subjectAltNames, Support.apiServerSANs)
    }

    func testOpenSSLReadsWrittenKeyAndItMatchesTheCertificate() throws {
        let dir = try Support.temporaryDirectory(for: self)
        let issued = try issue(into: dir)
        let check = try Support.openssl(["pkey", "-in", "apiserver.key", "-noout"], in: dir)
        XCTAssertEqual(check.status, 0, check.stderr)
        let pub = try Support.openssl(
            ["pkey", "-in", "apiserver.key", "-pubout", "-outform", "DER", "-out", "key.pub.der"], in: dir)
        XCTAssertEqual(pub.status, 0, pub.stderr)
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("key.pub.der")), try issued.key.publicKeyDER())
        XCTAssertTrue(issued.chain[0].matches(issued.key))
        XCTAssertEqual(try issued.chain[0].publicKeyDER(), try issued.key.publicKeyDER())
        let reloaded = try PrivateKey(pemData: Data(contentsOf: dir.appendingPathComponent("apiserver.key")))
        XCTAssertEqual(try reloaded.publicKeyDER(), try issued.key.publicKeyDER())
        XCTAssertEqual(reloaded.keyType, .rsa2048)
    }

    func testOpenSSLVerifiesRequestSignatureAndSeesRequestedExtensions() throws {
        let dir = try Support.temporaryDirectory(for: self)
        _ = try issue(into: dir)
        let result = try Support.openssl(["req", "-in", "apiserver.csr", "-verify", "-noout", "-text"], in: dir)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("verify OK") || result.stdout.contains("verify OK"), result.stderr)
        XCTAssertTrue(result.stdout.contains("Subject: CN = kube-apiserver"), result.stdout)
        XCTAssertTrue(result.stdout.contains("sha256WithRSAEncryption"), result.stdout)
        XCTAssertTrue(result.stdout.contains("CA:FALSE"), result.stdout)
        XCTAssertTrue(result.stdout.contains("Digital Signature, Non Repudiation, Key Encipherment"), result.stdout)
        XCTAssertTrue(result.stdout.contains("TLS Web Server Authentication"), result.stdout)
    }

    func testIssuedCertificateCarriesOurExtensionSet() throws {
        let dir = try Support.temporaryDirectory(for: self)
        _ = try issue(into: dir)
        let result = try Support.openssl(["x509", "-in", "apiserver.crt", "-noout", "-text"], in: dir)
        XCTAssertEqual(result.status, 0, result.stderr)
        let text = result.stdout
        for expected in [
            "Signature Algorithm: sha256WithRSAEncryption", "Subject: CN = kube-apiserver",
            "Issuer: CN = master-agent test CA", "X509v3 Basic Constraints: critical", "CA:FALSE",
            "X509v3 Key Usage: critical", "Digital Signature, Non Repudiation, Key Encipherment",
            "X509v3 Extended Key Usage", "TLS Web Server Authentication",
            "X509v3 Subject Key Identifier", "X509v3 Authority Key Identifier", "Version: 3 (0x2)",
        ] {
            XCTAssertTrue(text.contains(expected), "missing \(expected) in\n\(text)")
        }
        let purpose = try Support.openssl(
            ["verify", "-CAfile", "ca.crt", "-purpose", "sslserver", "apiserver.crt"], in: dir)
        XCTAssertEqual(purpose.status, 0, purpose.stderr)
    }

    func testCertificatePropertiesReflectSigningInputs() throws {
        let dir = try Support.temporaryDirectory(for: self)
        let issued = try issue(into: dir)
        let leaf = issued.chain[0]
        XCTAssertEqual(leaf.subjectCommonName, "kube-apiserver")
        XCTAssertEqual(leaf.subject, "CN=kube-apiserver")
        XCTAssertEqual(leaf.issuer, "CN=master-agent test CA")
        XCTAssertFalse(leaf.isCA)
        XCTAssertTrue(issued.ca.certificate.isCA)
        XCTAssertTrue(issued.ca.certificate.isSelfIssued)
        XCTAssertEqual(leaf.notBefore.timeIntervalSince1970, Support.now.timeIntervalSince1970.rounded(.down))
        XCTAssertEqual(leaf.notAfter.timeIntervalSince(leaf.notBefore), 365 * 86_400)
        XCTAssertEqual(leaf.serialNumber.count, 32, leaf.serialNumber)
        let cliSerial = try Support.openssl(["x509", "-in", "apiserver.crt", "-noout", "-serial"], in: dir)
        XCTAssertEqual(cliSerial.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "serial=\(leaf.serialNumber)")
        let cliFingerprint = try Support.openssl(
            ["x509", "-in", "apiserver.crt", "-noout", "-fingerprint", "-sha256"], in: dir)
        XCTAssertEqual(
            cliFingerprint.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
            "sha256 Fingerprint=\(leaf.sha256Fingerprint)")
    }

    func testEachSignatureGetsADifferentSerial() throws {
        let ca = try Support.rootCA()
        let csr = try CertificateSigningRequest.make(key: try Support.key("server"), subjectAltNames: [.dns("a")])
        let first = try ca.sign(csr, validityDays: 1, notBefore: Support.now)
        let second = try ca.sign(csr, validityDays: 1, notBefore: Support.now)
        XCTAssertNotEqual(first.serialNumber, second.serialNumber)
    }

    func testChainFileLoadsLeafThenCA() throws {
        let dir = try Support.temporaryDirectory(for: self)
        let issued = try issue(into: dir)
        let loaded = try Certificate.loadChain(pemData: Data(contentsOf: dir.appendingPathComponent("apiserver.crt")))
        XCTAssertEqual(loaded.map(\.subject), ["CN=kube-apiserver", "CN=master-agent test CA"])
        XCTAssertEqual(loaded.map(\.sha256Fingerprint), issued.chain.map(\.sha256Fingerprint))
        try ChainVerifier(trusted: [issued.ca.certificate]).verify(
            loaded[0], intermediates: Array(loaded.dropFirst()),
            at: Support.now.addingTimeInterval(60))
    }

    func testRequestRoundTripsThroughPEMAndSigningKeepsItsSANs() throws {
        let key = try Support.key("server")
        let sans: [SubjectAltName] = [.dns("only.example.com"), .ip("10.0.0.7"), .ip("::1")]
        let pem = try CertificateSigningRequest.make(key: key, subjectAltNames: sans).pemData()
        let reloaded = try CertificateSigningRequest(pemData: pem)
        try reloaded.verifySignature()
        XCTAssertEqual(reloaded.subjectAltNames, sans)
        XCTAssertEqual(reloaded.subjectCommonName, "kube-apiserver")
        XCTAssertEqual(try reloaded.publicKeyDER(), try key.publicKeyDER())
        let cert = try Support.rootCA().sign(reloaded, validityDays: 30, notBefore: Support.now)
        XCTAssertEqual(cert.subjectAltNames, sans)
    }

    func testTamperedRequestIsRejectedBeforeSigning() throws {
        let csr = try CertificateSigningRequest.make(key: try Support.key("server"), subjectAltNames: [.dns("x")])
        let pem = String(decoding: try csr.pemData(), as: UTF8.self)
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        var der = try XCTUnwrap(Data(base64Encoded: body))
        der[der.count - 1] ^= 0xFF // last byte of the signature
        let tampered =
            "-----BEGIN CERTIFICATE REQUEST-----\n\(der.base64EncodedString(options: .lineLength64Characters))\n-----END CERTIFICATE REQUEST-----\n"
        let request = try CertificateSigningRequest(pemData: Data(tampered.utf8))
        XCTAssertThrowsError(try Support.rootCA().sign(request, validityDays: 1, notBefore: Support.now)) { error in
            XCTAssertEqual((error as? OpenSSLError)?.code, .signatureInvalid, "\(error)")
        }
    }

    func testGarbageInputsFailWithDecodeErrorsNamingTheSource() throws {
        XCTAssertThrowsError(try PrivateKey(pemData: Data("not a key".utf8), source: "/x/apiserver.key")) { error in
            let e = error as? OpenSSLError
            XCTAssertEqual(e?.code, .decodeFailed)
            XCTAssertTrue("\(error)".hasPrefix("could not read /x/apiserver.key: "), "\(error)")
        }
        XCTAssertThrowsError(try Certificate.loadChain(pemData: Data(), source: "ca.crt")) { error in
            XCTAssertEqual((error as? OpenSSLError)?.code, .decodeFailed)
        }
        let damaged = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
        XCTAssertThrowsError(try Certificate.loadChain(pemData: Data(damaged.utf8))) { error in
            XCTAssertEqual((error as? OpenSSLError)?.code, .decodeFailed)
        }
        XCTAssertThrowsError(try CertificateSigningRequest(pemData: Data("x".utf8))) { error in
            XCTAssertEqual((error as? OpenSSLError)?.code, .decodeFailed)
        }
    }

    func testInvalidSANsAreRefused() throws {
        let key = try Support.key("server")
        for bad: [SubjectAltName] in [[.ip("192.168.1.300")], [.dns("bad name")], []] {
            XCTAssertThrowsError(try CertificateSigningRequest.make(key: key, subjectAltNames: bad)) { error in
                XCTAssertEqual((error as? OpenSSLError)?.code, .buildFailed, "\(bad)")
            }
        }
    }
}
