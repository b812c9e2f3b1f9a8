import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// The pure certificate rules, including the ones a root-run integration test cannot provoke (a non-root owner).
final class CertificateEvaluationTests: XCTestCase {
    private let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func facts(
        notBefore: Double = -86400, notAfter: Double = 90 * 86400, sans: [SubjectAltName] = [.dns("kubernetes")],
        key: Data = Data([1])
    ) -> CertificateFacts {
        CertificateFacts(
            subjectCommonName: "kube-apiserver", subject: "CN=kube-apiserver", issuer: "CN=ca", subjectAltNames: sans,
            notBefore: now.addingTimeInterval(notBefore), notAfter: now.addingTimeInterval(notAfter), isCA: false,
            publicKeyDER: key)
    }

    func testPermissionRules() {
        XCTAssertEqual(
            CertificateEvaluation.permissions(file: "k", mode: 0o600, ownerUID: 0, isKey: true, checkOwner: true), [])
        XCTAssertEqual(
            CertificateEvaluation.permissions(file: "k", mode: 0o640, ownerUID: 0, isKey: true, checkOwner: true).map(
                \.code), [.keyFileMode])
        XCTAssertEqual(
            CertificateEvaluation.permissions(file: "k", mode: 0o600, ownerUID: 1000, isKey: true, checkOwner: true)
                .map(\.code), [.keyFileOwner])
        XCTAssertEqual(
            CertificateEvaluation.permissions(file: "k", mode: 0o600, ownerUID: 1000, isKey: true, checkOwner: false),
            [])
        XCTAssertEqual(
            CertificateEvaluation.permissions(file: "c", mode: 0o644, ownerUID: 0, isKey: false, checkOwner: false), [])
        XCTAssertEqual(
            CertificateEvaluation.permissions(file: "c", mode: 0o664, ownerUID: 0, isKey: false, checkOwner: false).map(
                \.code), [.certificateFileMode])
        XCTAssertTrue(
            CertificateEvaluation.permissions(
                file: "/x/apiserver.key", mode: 0o644, ownerUID: 0, isKey: true, checkOwner: false)[0]
                .message.contains("chmod 600 /x/apiserver.key"))
    }

    func testValidityAndNamesAndKey() {
        let required: [SubjectAltName] = [.dns("kubernetes"), .ip("10.3.0.1")]
        let codes = { (f: CertificateFacts, key: Data?) in
            CertificateEvaluation.evaluate(
                leaf: f, file: "c", keyPublicDER: key, requiredSANs: required, now: self.now, warningDays: 30
            ).map(\.code)
        }
        XCTAssertEqual(codes(facts(sans: required), Data([1])), [])
        XCTAssertEqual(codes(facts(sans: required), Data([2])), [.keyMismatch])
        XCTAssertEqual(codes(facts(), Data([1])), [.missingSAN])
        XCTAssertEqual(codes(facts(notBefore: 3600, sans: required), nil), [.notYetValid])
        XCTAssertEqual(codes(facts(notBefore: -400 * 86400, notAfter: -1, sans: required), nil), [.expired])
        XCTAssertEqual(codes(facts(notAfter: 10 * 86400, sans: required), nil), [.expiresSoon])
        let missing = CertificateEvaluation.evaluate(
            leaf: facts(), file: "c", keyPublicDER: nil, requiredSANs: required, now: now, warningDays: 30)
        XCTAssertTrue(missing[0].message.contains("lacks subjectAltNames IP:10.3.0.1"), missing[0].message)
    }

    func testDerivedSANsFollowTheConfigAndAreComplete() throws {
        var config = try TestSupport.seedConfig()
        config.pki.extraSANs = ["api.example.com", "10.9.9.9"]
        let sans = APIServerSANs.required(config).map(\.description)
        for expected in [
            "DNS:localhost", "DNS:kubernetes", "DNS:kubernetes.default", "DNS:kubernetes.default.svc",
            "DNS:kubernetes.default.svc.cluster.local", "DNS:loadbalancer.example.com", "DNS:master01.example.com",
            "DNS:master02.example.com", "DNS:api.example.com", "IP:127.0.0.1", "IP:10.3.0.1", "IP:192.168.3.1",
            "IP:192.168.1.1", "IP:192.168.1.2", "IP:10.9.9.9",
        ] {
            XCTAssertTrue(sans.contains(expected), expected)
        }
        XCTAssertEqual(sans.count, 15)
        XCTAssertEqual(Set(sans).count, sans.count, "no duplicates")
    }
}
