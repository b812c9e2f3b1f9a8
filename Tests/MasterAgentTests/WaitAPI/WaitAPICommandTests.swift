import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// The real `master-agent wait-api` binary against the Kubernetes API double on 127.0.0.1.
final class WaitAPICommandTests: XCTestCase {
    private static var pki: CurlTestCertificates?

    override class func tearDown() {
        pki?.remove()
        pki = nil
    }

    private func certificates() throws -> CurlTestCertificates {
        if let pki = Self.pki { return pki }
        let made = try CurlTestCertificates()
        Self.pki = made
        return made
    }

    private func double(_ arguments: [String], waitForAccept: Bool = true) throws -> CurlDoubleProcess {
        let process = try CurlDoubleProcess(arguments, waitForAccept: waitForAccept)
        addTeardownBlock { process.stop() }
        return process
    }

    private func fault(_ rule: String) -> [String] { ["--fault", rule] }

    /// Runs the agent and returns its result with the wall time it took.
    private func waitAPI(_ arguments: [String]) throws -> (TestSupport.ProcessResult, Double) {
        let started = Date()
        let result = try TestSupport.agent(["wait-api"] + arguments, timeout: 30)
        return (result, Date().timeIntervalSince(started))
    }

    private func json(_ result: TestSupport.ProcessResult) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return try XCTUnwrap(object, result.stdout + result.stderr)
    }

    /// The double's request log for the health endpoints: (time, path, status).
    private func healthLog(_ server: CurlDoubleProcess) throws -> [(time: Double, path: String, status: Int)] {
        let log = try XCTUnwrap(server.control("log") as? [String: Any])
        let entries = try XCTUnwrap(log["entries"] as? [[String: Any]])
        return entries.compactMap { entry in
            guard let path = entry["path"] as? String, path == "/readyz" || path == "/healthz",
                let time = entry["time"] as? Double, let status = entry["status"] as? Int
            else { return nil }
            return (time, path, status)
        }
    }

    func testWaitsThroughEveryStageAndReportsThemInJSON() throws {
        let server = try double(["--refuse-for", "0.5", "--unready-for", "0.7"], waitForAccept: false)
        let (result, _) = try waitAPI(["--url", server.baseURL, "--timeout", "10s", "--output", "json"])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let output = try json(result)
        let stages = try XCTUnwrap(output["stages"] as? [String: Double])
        XCTAssertGreaterThan(stages["refused"] ?? 0, 0.1, result.stdout)
        XCTAssertGreaterThan(stages["starting"] ?? 0, 0.5, result.stdout)
        XCTAssertEqual(output["healthPath"] as? String, "/readyz")
        let log = try healthLog(server)
        XCTAssertEqual(output["httpRequests"] as? Int, log.count, "every HTTP request is counted")
        XCTAssertGreaterThan(output["tcpProbes"] as? Int ?? 0, 1)
        XCTAssertEqual(log.last?.status, 200)
        XCTAssertTrue(log.dropLast().allSatisfy { $0.status == 500 }, "\(log)")
        // 0.7 s of 500s at 210-225 ms apart: a handful of requests, not a flood.
        XCTAssertLessThanOrEqual(log.count, 8, "\(log)")
    }

    func testTextOutputPrintsOneLinePerChangeOfState() throws {
        let server = try double(["--refuse-for", "0.3", "--unready-for", "0.5"], waitForAccept: false)
        let (result, _) = try waitAPI(["--url", server.baseURL, "--timeout", "10s"])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.first?.contains("connecting") ?? false, result.stdout)
        XCTAssertTrue(lines.contains { $0.contains("starting") && $0.contains("500 [-]") }, result.stdout)
        XCTAssertTrue(lines.last?.contains("answered ok on /readyz") ?? false, result.stdout)
        XCTAssertLessThan(lines.count, 8, "not one line per attempt: \(result.stdout)")
    }

    func testLegacyServerIsWaitedForOnHealthz() throws {
        let server = try double(["--mode", "legacy", "--unready-for", "0.4"])
        let (result, _) = try waitAPI(["--url", server.baseURL, "--timeout", "10s", "--output", "json"])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertEqual(try json(result)["healthPath"] as? String, "/healthz")
        let log = try healthLog(server)
        XCTAssertEqual(log.filter { $0.path == "/readyz" }.map(\.status), [404], "asks /readyz once, then remembers")
        XCTAssertEqual(log.last?.path, "/healthz")
        XCTAssertEqual(log.last?.status, 200)
    }

    func testDeadlineIsKeptAndNamesTheFailingChecks() throws {
        let server = try double(["--unready-for", "60"])
        let (result, elapsed) = try waitAPI(["--url", server.baseURL, "--timeout", "1s"])
        XCTAssertEqual(result.status, ExitStatus.apiTimeout.rawValue, result.stdout + result.stderr)
        XCTAssertGreaterThanOrEqual(elapsed, 0.95)
        XCTAssertLessThan(elapsed, 1.6)
        XCTAssertTrue(
            result.stderr.contains(
                "could not reach the API server at \(server.baseURL) within 1s: last attempt GET \(server.baseURL)/readyz: 500 [-]"
            ), result.stderr)
    }

    func testRefusedUntilTheDeadlineSaysConnectionRefused() throws {
        let server = try double(["--refuse-for", "30"], waitForAccept: false)
        let (result, elapsed) = try waitAPI(["--url", server.baseURL, "--timeout", "500ms", "--output", "json"])
        XCTAssertEqual(result.status, ExitStatus.apiTimeout.rawValue, result.stdout + result.stderr)
        XCTAssertLessThan(elapsed, 1.2)
        let output = try json(result)
        XCTAssertEqual(output["httpRequests"] as? Int, 0)
        XCTAssertTrue((output["lastFailure"] as? String ?? "").contains("connection refused"), result.stdout)
        XCTAssertTrue(result.stderr.contains("journalctl -u kubelet"), result.stderr)
    }

    func testWrongCAFailsClosedWithATLSError() throws {
        let pki = try certificates()
        let server = try double(["--tls-cert", pki.cert("server"), "--tls-key", pki.key("server")])
        let (result, elapsed) = try waitAPI([
            "--url", server.baseURL, "--timeout", "30s", "--cacert", pki.cert("other-ca"),
        ])
        XCTAssertEqual(result.status, ExitStatus.failure.rawValue, result.stdout + result.stderr)
        XCTAssertLessThan(elapsed, 3, "does not retry until the deadline")
        XCTAssertTrue(result.stderr.contains("TLS failed"), result.stderr)
        XCTAssertTrue(result.stderr.contains("not retried"), result.stderr)
        XCTAssertTrue(result.stderr.contains("--cacert"), result.stderr)
    }

    func testClientCertificateAuthenticatesAndItsAbsenceFailsWithTheHint() throws {
        let pki = try certificates()
        let server = try double([
            "--tls-cert", pki.cert("server"), "--tls-key", pki.key("server"),
            "--client-ca", pki.cert("client-ca"), "--unready-for", "0.3",
        ])
        let (good, _) = try waitAPI([
            "--url", server.baseURL, "--timeout", "10s", "--cacert", pki.cert("ca"),
            "--cert", pki.cert("client"), "--key", pki.key("client"),
        ])
        XCTAssertEqual(good.status, 0, good.stdout + good.stderr)
        XCTAssertTrue(good.stdout.contains("answered ok"), good.stdout)

        let (bad, elapsed) = try waitAPI(["--url", server.baseURL, "--timeout", "30s", "--cacert", pki.cert("ca")])
        XCTAssertEqual(bad.status, ExitStatus.failure.rawValue, bad.stdout + bad.stderr)
        XCTAssertLessThan(elapsed, 5)
        XCTAssertTrue(bad.stderr.contains("client certificate"), bad.stderr)
    }

    func testWithoutURLTheConfigGivesTheURLAndTheDeadline() throws {
        let server = try double(["--unready-for", "60"])
        let directory = try TestSupport.makeTemporaryDirectory(self, name: "wait-api")
        let config = directory.appendingPathComponent("cluster.yaml")
        let yaml = try TestSupport.fixtureText("seed-cluster.yaml")
            .replacingOccurrences(
                of: "localURL: http://127.0.0.1:8080", with: "localURL: \(server.baseURL)\n  waitTimeout: 800ms")
        try yaml.write(to: config, atomically: true, encoding: .utf8)
        let (result, elapsed) = try waitAPI(["--config", config.path, "--node", "master01", "--root", directory.path])
        XCTAssertEqual(result.status, ExitStatus.apiTimeout.rawValue, result.stdout + result.stderr)
        XCTAssertLessThan(elapsed, 1.5)
        XCTAssertTrue(
            result.stderr.contains("at \(server.baseURL) within 0.8s: last attempt GET \(server.baseURL)/readyz: 500"),
            result.stderr)
    }

    func testCertAndKeyMustComeTogether() throws {
        let (result, _) = try waitAPI(["--url", "http://127.0.0.1:1", "--cert", "/x.crt"])
        XCTAssertEqual(result.status, ExitStatus.usage.rawValue, result.stderr)
    }

    // MARK: fault kinds (each ends as designed)

    func testTransient500sAreRetried() throws {
        let server = try double(fault(#"{"path": "/readyz", "action": "status", "status": 500, "count": 3}"#))
        let (result, _) = try waitAPI(["--url", server.baseURL, "--timeout", "10s"])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertEqual(try healthLog(server).map(\.status), [500, 500, 500, 200])
    }

    func testRetryAfterOn503And429IsHonoured() throws {
        for status in [503, 429] {
            let server = try double(
                fault(#"{"path": "/readyz", "action": "status", "status": \#(status), "retryAfter": 1, "count": 1}"#))
            let (result, _) = try waitAPI(["--url", server.baseURL, "--timeout", "10s"])
            XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
            let log = try healthLog(server)
            XCTAssertEqual(log.map(\.status), [status, 200])
            XCTAssertGreaterThanOrEqual(log[1].time - log[0].time, 0.98, "waited for Retry-After on \(status): \(log)")
        }
    }

    func testRetryAfterPastTheDeadlineEndsAtTheDeadline() throws {
        let server = try double(fault(#"{"path": "/readyz", "action": "status", "status": 503, "retryAfter": 30}"#))
        let (result, elapsed) = try waitAPI(["--url", server.baseURL, "--timeout", "1s"])
        XCTAssertEqual(result.status, ExitStatus.apiTimeout.rawValue, result.stderr)
        XCTAssertLessThan(elapsed, 1.6)
        XCTAssertTrue(result.stderr.contains("503 ServiceUnavailable"), result.stderr)
        XCTAssertTrue(result.stderr.contains("Retry-After 30s"), result.stderr)
    }

    func testResetsAreRetriedAndPersistentResetsEndAtTheDeadline() throws {
        let transient = try double(fault(#"{"path": "/readyz", "action": "reset", "count": 2}"#))
        let (recovered, _) = try waitAPI(["--url", transient.baseURL, "--timeout", "10s"])
        XCTAssertEqual(recovered.status, 0, recovered.stdout + recovered.stderr)

        let persistent = try double(fault(#"{"path": "/readyz", "action": "reset"}"#))
        let (result, elapsed) = try waitAPI(["--url", persistent.baseURL, "--timeout", "1s"])
        XCTAssertEqual(result.status, ExitStatus.apiTimeout.rawValue, result.stderr)
        XCTAssertLessThan(elapsed, 1.6)
        XCTAssertTrue(result.stderr.contains("connection reset by the server"), result.stderr)
    }

    func testHangLongerThanThePerRequestTimeoutIsCutAndRetried() throws {
        let server = try double(fault(#"{"path": "/readyz", "action": "hang", "count": 1}"#))
        let (result, elapsed) = try waitAPI(["--url", server.baseURL, "--timeout", "10s", "--output", "json"])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertEqual(try json(result)["httpRequests"] as? Int, 2)
        XCTAssertGreaterThanOrEqual(elapsed, 1.9, "the per-request timeout is 2 s")
        XCTAssertLessThan(elapsed, 3.5)

        let forever = try double(fault(#"{"path": "/readyz", "action": "hang"}"#))
        let (timedOut, cut) = try waitAPI(["--url", forever.baseURL, "--timeout", "1s"])
        XCTAssertEqual(timedOut.status, ExitStatus.apiTimeout.rawValue, timedOut.stderr)
        XCTAssertLessThan(cut, 1.6, "a hung request does not outlive the deadline")
        XCTAssertTrue(timedOut.stderr.contains("timed out"), timedOut.stderr)
    }

    func testGarbageBodyAndWrongContentTypeAreNotReady() throws {
        let transient = try double(fault(#"{"path": "/readyz", "action": "garbage", "count": 2}"#))
        let (recovered, _) = try waitAPI(["--url", transient.baseURL, "--timeout", "10s"])
        XCTAssertEqual(recovered.status, 0, recovered.stdout + recovered.stderr)
        XCTAssertEqual(try healthLog(transient).count, 3)

        for (action, words) in [
            ("garbage", "(application/json) is not \"ok\""), ("html", "(text/html; charset=utf-8) is not \"ok\""),
        ] {
            let server = try double(fault(#"{"path": "/readyz", "action": "\#(action)"}"#))
            let (result, _) = try waitAPI(["--url", server.baseURL, "--timeout", "700ms"])
            XCTAssertEqual(result.status, ExitStatus.apiTimeout.rawValue, result.stderr)
            XCTAssertTrue(result.stderr.contains("200 but the body \(words)"), result.stderr)
        }
    }
}
