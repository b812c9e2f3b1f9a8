import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// APIWaiter in virtual time: a manual clock, a scripted transport and a scripted TCP probe.
final class APIWaiterTests: XCTestCase {
    private let url = "https://127.0.0.1:6443"
    private let failing =
        "[+]ping ok\n[-]poststarthook/start-apiextensions-controllers failed: reason withheld\nreadyz check failed\n"
    private var clock: ManualClock!
    private var start: Double!

    override func setUp() {
        clock = ManualClock()
        start = clock.now()
    }

    private func waiter(
        _ transport: HealthScriptTransport, listensAfter: Double = 0, random: RandomSource = FixedRandom(0.5)
    )
        -> (APIWaiter, ScriptedTCPProbe)
    {
        let probe = ScriptedTCPProbe(clock: clock, listensFrom: start + listensAfter)
        return (APIWaiter(transport: transport, probe: probe, clock: clock, random: random), probe)
    }

    func testGoesThroughEveryStage() throws {
        // Refuses for 2 s, answers 500 until 3.5 s, then ok.
        let transport = HealthScriptTransport(clock: clock) { _, at in
            at - self.start < 3.5 ? .answer(500, self.failing) : .answer(200, "ok")
        }
        let (waiter, probe) = waiter(transport, listensAfter: 2)
        var stages: [APIWaitStage] = []
        let result = try waiter.wait(for: url, timeout: 30) { progress in
            if stages.last != progress.stage { stages.append(progress.stage) }
        }
        XCTAssertEqual(stages, [.connecting, .starting, .ready])
        XCTAssertEqual(result.secondsRefused, 2, accuracy: 0.051)
        XCTAssertEqual(result.secondsTotal, 3.5, accuracy: 0.24, "ok is seen within one backoff cap")
        XCTAssertEqual(result.healthPath, "/readyz")
        XCTAssertEqual(result.httpRequests, transport.requests.count)
        XCTAssertEqual(result.tcpProbes, probe.probes.count)
        // No HTTP while refused; probes every 50 ms while refused.
        XCTAssertTrue(transport.requests.allSatisfy { $0.at >= self.start + 2 })
        // 40 refused probes in 2 s (one more when float steps land just short of 2.0), then the accepted one.
        XCTAssertTrue((41...42).contains(probe.probes.count), "\(probe.probes.count)")
        // 1.5 s of 500s at 210-225 ms: about 7 requests, never a sleep over 225 ms.
        XCTAssertLessThanOrEqual(transport.requests.count, 9)
        XCTAssertTrue(clock.sleeps.allSatisfy { $0 <= 0.225 }, "\(clock.sleeps)")
        XCTAssertTrue(transport.requests.allSatisfy { $0.request.url == "https://127.0.0.1:6443/readyz" })
        XCTAssertEqual(
            result.lastFailure,
            "GET https://127.0.0.1:6443/readyz: 500 [-]poststarthook/start-apiextensions-controllers failed: reason withheld"
        )
    }

    func testDeadlineIsKeptAndNamesTheLastRealFailure() throws {
        let transport = HealthScriptTransport(clock: clock) { _, _ in .answer(500, self.failing) }
        let (waiter, _) = waiter(transport)
        XCTAssertThrowsError(try waiter.wait(for: url, timeout: 30)) { error in
            guard let error = error as? APIWaitError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.code, .deadline)
            XCTAssertEqual(error.exitStatus, .apiTimeout)
            XCTAssertTrue(
                error.description.hasPrefix(
                    "could not reach the API server at https://127.0.0.1:6443 within 30s: last attempt GET https://127.0.0.1:6443/readyz: 500 [-]poststarthook/start-apiextensions-controllers failed"
                ),
                error.description)
        }
        XCTAssertEqual(clock.now() - start, 30, accuracy: 0.01, "ends at the deadline, not before or long after")
    }

    func testDeadlineWhileRefusedSaysSoAndSendsNoHTTP() throws {
        let transport = HealthScriptTransport(clock: clock) { _, _ in .answer(200, "ok") }
        let (waiter, _) = waiter(transport, listensAfter: 100)
        XCTAssertThrowsError(try waiter.wait(for: "http://127.0.0.1:8080", timeout: 1)) { error in
            XCTAssertEqual((error as? APIWaitError)?.code, .deadline)
            XCTAssertTrue(
                "\(error)".contains("within 1s: last attempt connect 127.0.0.1:8080: connection refused"), "\(error)")
        }
        XCTAssertTrue(transport.requests.isEmpty)
        XCTAssertEqual(clock.now() - start, 1, accuracy: 0.001)
    }

    func testRequestTimeoutNeverRunsPastTheDeadline() throws {
        let transport = HealthScriptTransport(clock: clock) { _, _ in .fail(.timeout) }
        let (waiter, _) = waiter(transport)
        XCTAssertThrowsError(try waiter.wait(for: url, timeout: 5)) { error in
            XCTAssertEqual((error as? APIWaitError)?.code, .deadline)
            XCTAssertTrue("\(error)".contains("last attempt GET https://127.0.0.1:6443/readyz: timed out"), "\(error)")
        }
        XCTAssertEqual(clock.now() - start, 5, accuracy: 0.01)
        XCTAssertEqual(transport.requests.first?.request.timeout, .seconds(2))
    }

    func testLegacyServerFallsBackToHealthzAndRemembersIt() throws {
        var unreadyAnswers = 3
        let transport = HealthScriptTransport(clock: clock) { request, _ in
            if request.url.hasSuffix("/readyz") { return .answer(404, "404 page not found\n") }
            unreadyAnswers -= 1
            return unreadyAnswers >= 0
                ? .answer(
                    500,
                    "[+]ping ok\n[-]poststarthook/bootstrap-controller failed: reason withheld\nhealthz check failed\n")
                : .answer(200, "ok")
        }
        let (waiter, _) = waiter(transport)
        let result = try waiter.wait(for: "http://127.0.0.1:8080", timeout: 30)
        XCTAssertEqual(result.healthPath, "/healthz")
        XCTAssertEqual(
            transport.requests.map { URL(string: $0.request.url)!.path },
            ["/readyz", "/healthz", "/healthz", "/healthz", "/healthz"])
        XCTAssertEqual(clock.sleeps.count, 3, "the fallback itself costs no sleep")
    }

    func testRetryAfterIsHonouredButNotPastTheDeadline() throws {
        var answers = 0
        let transport = HealthScriptTransport(clock: clock) { _, _ in
            answers += 1
            return answers == 1 ? .answer(503, "", headers: ["Retry-After": "3"]) : .answer(200, "ok")
        }
        let (waiter, _) = waiter(transport)
        _ = try waiter.wait(for: url, timeout: 30)
        XCTAssertEqual(clock.sleeps, [3])

        let always429 = HealthScriptTransport(clock: clock) { _, _ in .answer(429, "", headers: ["Retry-After": "60"]) }
        let begin = clock.now()
        let (waiter2, _) = self.waiter(always429)
        XCTAssertThrowsError(try waiter2.wait(for: url, timeout: 10)) { error in
            XCTAssertEqual((error as? APIWaitError)?.code, .deadline)
            XCTAssertTrue("\(error)".contains("429 with an empty body (Retry-After 60s)"), "\(error)")
        }
        XCTAssertEqual(clock.now() - begin, 10, accuracy: 0.01)
        XCTAssertEqual(always429.requests.count, 1)
    }

    func testWrongCertificateFailsClosedAtOnce() throws {
        let transport = HealthScriptTransport(clock: clock) { _, _ in .fail(.tls) }
        let (waiter, _) = waiter(transport)
        XCTAssertThrowsError(try waiter.wait(for: url, timeout: 300)) { error in
            guard let error = error as? APIWaitError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.code, .tls)
            XCTAssertEqual(error.exitStatus, .failure)
            XCTAssertTrue(error.description.contains("TLS failed"), error.description)
            XCTAssertTrue(error.description.contains("unable to get local issuer certificate"), error.description)
            XCTAssertTrue(error.description.contains("not retried"), error.description)
        }
        XCTAssertEqual(transport.requests.count, 1)
        XCTAssertLessThan(clock.now() - start, 0.1)
    }

    func testResetsOnHTTPSEndWithTheClientCertificateHint() throws {
        let transport = HealthScriptTransport(clock: clock) { _, _ in .fail(.connectionReset) }
        let (waiter, _) = waiter(transport)
        XCTAssertThrowsError(try waiter.wait(for: url, timeout: 300)) { error in
            guard let error = error as? APIWaitError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.code, .rejected)
            XCTAssertTrue(error.description.contains("5 times in a row"), error.description)
            XCTAssertTrue(error.description.contains("client certificate"), error.description)
        }
        XCTAssertEqual(transport.requests.count, 5)
    }

    func testResetsOnPlainHTTPAreRetriedUntilTheServerRecovers() throws {
        var answers = 0
        let transport = HealthScriptTransport(clock: clock) { _, _ in
            answers += 1
            return answers <= 7 ? .fail(.connectionReset) : .answer(200, "ok")
        }
        let (waiter, _) = waiter(transport)
        let result = try waiter.wait(for: "http://127.0.0.1:8080", timeout: 30)
        XCTAssertEqual(result.httpRequests, 8)
    }

    func testServerThatGoesAwayAgainIsProbedOverTCP() throws {
        var answers = 0
        let transport = HealthScriptTransport(clock: clock) { _, _ in
            answers += 1
            return answers == 1 ? .fail(.connectionRefused) : .answer(200, "ok")
        }
        let (waiter, probe) = waiter(transport)
        var stages: [APIWaitStage] = []
        _ = try waiter.wait(for: url, timeout: 30) { if stages.last != $0.stage { stages.append($0.stage) } }
        XCTAssertEqual(stages, [.starting, .connecting, .starting, .ready])
        XCTAssertEqual(probe.probes.count, 2)
    }

    func testJitterSpreadsSleepsWithinTheBand() throws {
        var answers = 0
        let transport = HealthScriptTransport(clock: clock) { _, _ in
            answers += 1
            return answers <= 4 ? .answer(500, self.failing) : .answer(200, "ok")
        }
        let (waiter, _) = waiter(transport, random: FixedRandom(0.0, 0.0, 1.0, 0.5))
        _ = try waiter.wait(for: url, timeout: 30)
        XCTAssertEqual(clock.sleeps.count, 4)
        for (sleep, expected) in zip(clock.sleeps, [0.21, 0.21, 0.225, 0.2175]) {
            XCTAssertEqual(sleep, expected, accuracy: 1e-9)
        }
    }

    func testGarbageBodyIsNotReady() throws {
        let transport = HealthScriptTransport(clock: clock) { _, _ in
            .answer(200, "<html>Proxy login</html>", headers: ["Content-Type": "text/html"])
        }
        let (waiter, _) = waiter(transport)
        XCTAssertThrowsError(try waiter.wait(for: url, timeout: 2)) { error in
            XCTAssertTrue("\(error)".contains("200 but the body (text/html) is not \"ok\""), "\(error)")
        }
    }

    func testNonURLIsUnusable() {
        let transport = HealthScriptTransport(clock: clock) { _, _ in .answer(200, "ok") }
        let (waiter, _) = waiter(transport)
        XCTAssertThrowsError(try waiter.wait(for: "127.0.0.1:6443", timeout: 2)) { error in
            XCTAssertEqual((error as? APIWaitError)?.code, .unusable)
        }
    }
}
