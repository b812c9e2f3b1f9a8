import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// API faults not covered elsewhere, each with its expected end: an expired server certificate fails
/// closed at once; truncated answers are retried while the deadline allows; garbage in the middle of the
/// election stops the step with the URL named instead of looping or crashing.
final class APIFaultTests: XCTestCase {
    private func double(_ arguments: [String]) throws -> CurlDoubleProcess {
        let process = try CurlDoubleProcess(arguments)
        addTeardownBlock { process.stop() }
        return process
    }

    func testExpiredServerCertificateFailsClosedAtOnce() throws {
        let work = try TestSupport.makeTemporaryDirectory(self, name: "expired")
        let toolkit = OpenSSLToolkit()
        let caKey = try toolkit.generateKey(.ecdsaP256)
        let ca = try Certificate.pemData(of: [
            CertificateAuthority.makeSelfSigned(
                key: PrivateKey(pemData: caKey), commonName: "expired-test-ca",
                validityDays: 30, notBefore: Date().addingTimeInterval(-20 * 86400)
            ).certificate
        ])
        let serverKey = try toolkit.generateKey(.ecdsaP256)
        let csr = try toolkit.makeCSR(keyPEM: serverKey, commonName: "127.0.0.1", sans: [.ip("127.0.0.1")])
        // Valid for 2 days, ten days ago.
        let chain = try toolkit.sign(
            csrPEM: csr, caCertPEM: ca, caKeyPEM: caKey, validityDays: 2,
            notBefore: Date().addingTimeInterval(-10 * 86400))
        for (name, data) in [("ca.crt", ca), ("server.crt", chain), ("server.key", serverKey)] {
            try data.write(to: work.appendingPathComponent(name))
        }
        let server = try double(["--tls-cert", work.path + "/server.crt", "--tls-key", work.path + "/server.key"])
        let started = Date()
        let result = try TestSupport.agent([
            "wait-api", "--url", server.baseURL, "--timeout", "20s", "--cacert", work.path + "/ca.crt",
        ])
        XCTAssertEqual(result.status, ExitStatus.failure.rawValue, result.stdout + result.stderr)
        XCTAssertLessThan(
            Date().timeIntervalSince(started), 3, "an expired certificate is not retried until the deadline")
        XCTAssertTrue(result.stderr.contains("certificate has expired"), result.stderr)
    }

    func testTruncatedHealthAnswersAreRetriedUntilOk() throws {
        let server = try double(["--fault", #"{"path": "/readyz", "action": "truncate", "count": 3}"#])
        let result = try TestSupport.agent([
            "wait-api", "--url", server.baseURL, "--timeout", "10s", "--output", "json",
        ])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["httpRequests"] as? Int, 4, result.stdout)
    }

    func testTruncatedHealthAnswersUntilTheDeadlineEndWithExit4() throws {
        let server = try double(["--fault", #"{"path": "/readyz", "action": "truncate", "short": true}"#])
        let result = try TestSupport.agent(["wait-api", "--url", server.baseURL, "--timeout", "1s"])
        XCTAssertEqual(result.status, ExitStatus.apiTimeout.rawValue, result.stdout + result.stderr)
        XCTAssertTrue(result.stderr.contains("/readyz"), result.stderr)
    }

    func testGarbageFromTheAPIDuringTheElectionStopsWithTheURLNamed() throws {
        let server = try double([
            "--mode", "modern", "--no-kube-system",
            "--fault", #"{"path": "/apis/coordination.k8s.io/v1/namespaces/default/leases", "action": "garbage"}"#,
        ])
        let work = try TestSupport.makeTemporaryDirectory(self, name: "garbage")
        let config = work.path + "/cluster.yaml"
        try TestSupport.fixtureText("seed-cluster.yaml").replacingOccurrences(
            of: "http://127.0.0.1:8080", with: server.baseURL
        )
        .write(toFile: config, atomically: true, encoding: .utf8)
        let started = Date()
        let result = try TestSupport.agent(
            [
                "bootstrap", "--steps", "election,namespace", "--config", config, "--node", "master01", "--root",
                work.path,
            ],
            timeout: 60)
        XCTAssertEqual(result.status, ExitStatus.failure.rawValue, result.stdout + result.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 30)
        XCTAssertTrue(result.stdout.contains("election      failed"), result.stdout)
        XCTAssertTrue(result.stdout.contains("/apis/coordination.k8s.io/v1/namespaces/default/leases"), result.stdout)
        let state = try XCTUnwrap(try server.control("state") as? [String: Any])
        XCTAssertFalse(
            "\(state["namespaceCreates"] ?? "")".contains("master01"), "no namespace may be created without the lock")
    }
}
