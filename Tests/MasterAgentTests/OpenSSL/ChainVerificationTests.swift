import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

final class ChainVerificationTests: XCTestCase {
    private typealias Support = OpenSSLTestSupport
    private let day: TimeInterval = 86_400

    private func verificationError(_ body: () throws -> Void) -> OpenSSLError? {
        do {
            try body()
            XCTFail("verification unexpectedly succeeded")
            return nil
        } catch let error as OpenSSLError {
            return error
        } catch {
            XCTFail("unexpected error type \(error)")
            return nil
        }
    }

    func testCertificateSignedByTheCAVerifies() throws {
        let ca = try Support.rootCA()
        let leaf = try Support.serverCertificate(by: ca)
        try ChainVerifier(trusted: [ca.certificate]).verify(leaf, at: Support.now.addingTimeInterval(3600))
    }

    func testCertificateFromAnotherCAFailsWithOpenSSLReason() throws {
        let ours = try Support.rootCA()
        let leaf = try Support.serverCertificate(by: try Support.otherCA())
        let error = verificationError {
            try ChainVerifier(trusted: [ours.certificate]).verify(leaf, at: Support.now.addingTimeInterval(3600))
        }
        XCTAssertEqual(error?.code, .chainVerifyFailed)
        XCTAssertEqual(error?.verifyResult?.kind, .untrustedIssuer)
        XCTAssertEqual(error?.verifyResult?.depth, 0)
        let text = error.map { "\($0)" } ?? ""
        XCTAssertTrue(
            text.hasPrefix("could not verify certificate CN=kube-apiserver (issuer CN=some other CA): "), text)
        XCTAssertTrue(text.contains("unable to get local issuer certificate"), text)
    }

    func testOpenSSLAlsoRejectsCertificateFromAnotherCA() throws {
        let dir = try Support.temporaryDirectory(for: self)
        let ours = try Support.rootCA()
        let leaf = try Support.serverCertificate(by: try Support.otherCA())
        try Support.write(try ours.certificate.pemData(), "ca.crt", in: dir)
        try Support.write(try leaf.pemData(), "apiserver.crt", in: dir)
        let result = try Support.openssl(["verify", "-CAfile", "ca.crt", "apiserver.crt"], in: dir)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue((result.stdout + result.stderr).contains("unable to get local issuer certificate"))
    }

    func testExpiredCertificateFailsAndVerifiesInsideItsWindow() throws {
        let ca = try Support.rootCA(notBefore: Support.now.addingTimeInterval(-1000 * day))
        let leaf = try Support.serverCertificate(
            by: ca, validityDays: 365, notBefore: Support.now.addingTimeInterval(-400 * day))
        let verifier = ChainVerifier(trusted: [ca.certificate])
        let error = verificationError { try verifier.verify(leaf, at: Support.now) }
        XCTAssertEqual(error?.code, .chainVerifyFailed)
        XCTAssertEqual(error?.verifyResult?.kind, .expired)
        XCTAssertTrue(
            error.map { "\($0)" }?.contains("certificate has expired") ?? false, "\(String(describing: error))")
        XCTAssertTrue(error.map { "\($0)" }?.contains("certs renew") ?? false)
        try verifier.verify(leaf, at: Support.now.addingTimeInterval(-200 * day))
    }

    func testNotYetValidCertificateFails() throws {
        let ca = try Support.rootCA()
        let leaf = try Support.serverCertificate(by: ca, notBefore: Support.now.addingTimeInterval(2 * day))
        let error = verificationError { try ChainVerifier(trusted: [ca.certificate]).verify(leaf, at: Support.now) }
        XCTAssertEqual(error?.verifyResult?.kind, .notYetValid)
        XCTAssertTrue(
            error.map { "\($0)" }?.contains("certificate is not yet valid") ?? false, "\(String(describing: error))")
    }

    func testOpenSSLRejectsExpiredAndNotYetValidCertificates() throws {
        let dir = try Support.temporaryDirectory(for: self)
        let ca = try Support.rootCA(notBefore: Support.now.addingTimeInterval(-1000 * day))
        try Support.write(try ca.certificate.pemData(), "ca.crt", in: dir)
        let expired = try Support.serverCertificate(
            by: ca, validityDays: 30, notBefore: Support.now.addingTimeInterval(-60 * day))
        let future = try Support.serverCertificate(
            by: ca, validityDays: 30, notBefore: Support.now.addingTimeInterval(5 * day))
        for (cert, reason) in [(expired, "certificate has expired"), (future, "certificate is not yet valid")] {
            try Support.write(try cert.pemData(), "leaf.crt", in: dir)
            let result = try Support.openssl(["verify", "-CAfile", "ca.crt", "leaf.crt"], in: dir)
            XCTAssertNotEqual(result.status, 0)
            XCTAssertTrue((result.stdout + result.stderr).contains(reason), result.stdout + result.stderr)
        }
    }

    func testKeyThatDoesNotBelongToCertificateIsDetected() throws {
        let ca = try Support.rootCA()
        let leaf = try Support.serverCertificate(by: ca)
        XCTAssertTrue(leaf.matches(try Support.key("server")))
        XCTAssertFalse(leaf.matches(try Support.key("other-server")))
        XCTAssertNotEqual(try leaf.publicKeyDER(), try Support.key("other-server").publicKeyDER())
        XCTAssertThrowsError(try CertificateAuthority(certificate: ca.certificate, key: try Support.key("other-ca"))) {
            error in
            XCTAssertEqual((error as? OpenSSLError)?.code, .keyMismatch)
        }
    }

    func testServerCertificateCannotActAsCA() throws {
        let leaf = try Support.serverCertificate(by: try Support.rootCA())
        XCTAssertThrowsError(try CertificateAuthority(certificate: leaf, key: try Support.key("server"))) { error in
            XCTAssertEqual((error as? OpenSSLError)?.code, .buildFailed)
            XCTAssertTrue("\(error)".contains("CA:TRUE"), "\(error)")
        }
    }

    func testNonPositiveValidityIsRefused() throws {
        let csr = try CertificateSigningRequest.make(key: try Support.key("server"), subjectAltNames: [.dns("x")])
        XCTAssertThrowsError(try Support.rootCA().sign(csr, validityDays: 0, notBefore: Support.now)) { error in
            XCTAssertEqual((error as? OpenSSLError)?.code, .buildFailed)
        }
    }
}
