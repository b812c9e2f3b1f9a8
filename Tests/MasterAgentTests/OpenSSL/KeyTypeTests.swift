import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

final class KeyTypeTests: XCTestCase {
    private typealias Support = OpenSSLTestSupport

    private func issueAndVerifyWithCLI(leafKey: PrivateKey, ca: CertificateAuthority) throws -> String {
        let dir = try Support.temporaryDirectory(for: self)
        let csr = try CertificateSigningRequest.make(
            key: leafKey, subjectAltNames: [.dns("localhost"), .ip("127.0.0.1")])
        let leaf = try ca.sign(csr, validityDays: 10, notBefore: Support.now)
        XCTAssertTrue(leaf.matches(leafKey))
        try Support.write(try ca.certificate.pemData(), "ca.crt", in: dir)
        try Support.write(try leaf.pemData(), "leaf.crt", in: dir)
        try Support.write(try leafKey.pemData(), "leaf.key", in: dir)
        try Support.write(try csr.pemData(), "leaf.csr", in: dir)
        let verify = try Support.openssl(["verify", "-CAfile", "ca.crt", "leaf.crt"], in: dir)
        XCTAssertEqual(verify.status, 0, verify.stderr)
        let pkey = try Support.openssl(["pkey", "-in", "leaf.key", "-noout"], in: dir)
        XCTAssertEqual(pkey.status, 0, pkey.stderr)
        let req = try Support.openssl(["req", "-in", "leaf.csr", "-verify", "-noout"], in: dir)
        XCTAssertEqual(req.status, 0, req.stderr)
        let text = try Support.openssl(["x509", "-in", "leaf.crt", "-noout", "-text"], in: dir)
        return text.stdout
    }

    func testECDSAP256KeyIssuesAndVerifies() throws {
        let key = try Support.key("ec-server", .ecdsaP256)
        XCTAssertEqual(key.keyType, .ecdsaP256)
        XCTAssertEqual(key.algorithmDescription, "EC prime256v1")
        let text = try issueAndVerifyWithCLI(leafKey: key, ca: try Support.rootCA())
        XCTAssertTrue(text.contains("id-ecPublicKey"), text)
        XCTAssertTrue(text.contains("NIST CURVE: P-256"), text)
        XCTAssertEqual(try PrivateKey(pemData: try key.pemData()).keyType, .ecdsaP256)
    }

    func testECDSAP256CASignsWithECDSASHA256() throws {
        let ca = try CertificateAuthority.makeSelfSigned(
            key: try Support.key("ec-ca", .ecdsaP256), commonName: "ec CA",
            validityDays: 30, notBefore: Support.now.addingTimeInterval(-60))
        let text = try issueAndVerifyWithCLI(leafKey: try Support.key("server"), ca: ca)
        XCTAssertTrue(text.contains("ecdsa-with-SHA256"), text)
    }

    func testRSA4096KeyIssuesAndVerifies() throws {
        // Generated once for the whole process: RSA 4096 keygen takes up to seconds.
        let key = try Support.key("rsa4096", .rsa4096)
        XCTAssertEqual(key.keyType, .rsa4096)
        XCTAssertEqual(key.algorithmDescription, "RSA 4096")
        let text = try issueAndVerifyWithCLI(leafKey: key, ca: try Support.rootCA())
        XCTAssertTrue(text.contains("Public-Key: (4096 bit)"), text)
    }

    func testKeysWrittenByTheOpenSSLCommandLineLoad() throws {
        let dir = try Support.temporaryDirectory(for: self)
        try Support.write(try Support.key("server").pemData(), "pkcs8.key", in: dir)
        // The document's `openssl genrsa` writes the traditional form; ecparam adds an EC PARAMETERS block.
        let traditional = try Support.openssl(["pkey", "-in", "pkcs8.key", "-traditional", "-out", "rsa.key"], in: dir)
        XCTAssertEqual(traditional.status, 0, traditional.stderr)
        let ec = try Support.openssl(["ecparam", "-name", "prime256v1", "-genkey", "-out", "ec.key"], in: dir)
        XCTAssertEqual(ec.status, 0, ec.stderr)
        let rsaPEM = try String(contentsOf: dir.appendingPathComponent("rsa.key"), encoding: .utf8)
        XCTAssertTrue(rsaPEM.hasPrefix("-----BEGIN RSA PRIVATE KEY-----"))
        let rsa = try PrivateKey(pemData: Data(rsaPEM.utf8))
        XCTAssertEqual(try rsa.publicKeyDER(), try Support.key("server").publicKeyDER())
        XCTAssertEqual(
            try PrivateKey(pemData: Data(contentsOf: dir.appendingPathComponent("ec.key"))).keyType, .ecdsaP256)
    }

    func testUnsupportedKeySizeHasNoKeyType() throws {
        let dir = try Support.temporaryDirectory(for: self)
        let gen = try Support.openssl(
            ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "small.key"], in: dir)
        XCTAssertEqual(gen.status, 0, gen.stderr)
        let key = try PrivateKey(pemData: Data(contentsOf: dir.appendingPathComponent("small.key")))
        XCTAssertNil(key.keyType)
        XCTAssertEqual(key.algorithmDescription, "RSA 1024")
    }

    func testEncryptedKeyIsRejectedWithoutPrompting() throws {
        let dir = try Support.temporaryDirectory(for: self)
        try Support.write(try Support.key("server").pemData(), "plain.key", in: dir)
        let enc = try Support.openssl(
            ["pkey", "-in", "plain.key", "-aes256", "-passout", "pass:secret", "-out", "enc.key"], in: dir)
        XCTAssertEqual(enc.status, 0, enc.stderr)
        XCTAssertThrowsError(try PrivateKey(pemData: Data(contentsOf: dir.appendingPathComponent("enc.key")))) {
            error in
            XCTAssertEqual((error as? OpenSSLError)?.code, .decodeFailed)
        }
    }

    func testPEMIsPKCS8() throws {
        let pem = String(decoding: try Support.key("server").pemData(), as: UTF8.self)
        XCTAssertTrue(pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"), pem)
    }
}
