import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime

/// The waiter in virtual time: components asked side by side, each timed on its own, the deadline kept, and an
/// early end only for what waiting cannot fix.
final class ControlPlaneWaiterTests: XCTestCase {
    private let targets = [
        HealthTargetFixture.kubelet, HealthTargetFixture.apiServer, HealthTargetFixture.scheduler,
    ]

    /// A transport where each URL answers 500 until its time (seconds after `start`), then ok; refused before `listens`.
    private func script(_ clock: ManualClock, readyAt: [String: Double], listens: Double = 0)
        -> HealthScriptTransport
    {
        let start = clock.now()
        return HealthScriptTransport(clock: clock) { request, at in
            let url = request.url
            if at - start < listens { return .fail(.connectionRefused) }
            return at - start >= readyAt[url, default: .infinity] ? .answer(200, "ok") : .answer(500, "[-]x failed")
        }
    }

    func testEachComponentIsTimedOnItsOwnAndTheWaitEndsWithTheLast() throws {
        let clock = ManualClock()
        let transport = script(
            clock,
            readyAt: [
                HealthTargetFixture.kubelet.urls[0]: 0.3, HealthTargetFixture.apiServer.urls[0]: 1.0,
                HealthTargetFixture.apiServer.urls[1]: 2.0, HealthTargetFixture.scheduler.urls[0]: 3.0,
            ])
        let waiter = ControlPlaneWaiter(
            localAPI: { transport }, loopback: { transport }, clock: clock, random: FixedRandom(0.5))
        var became: [String] = []
        let (progress, seconds, gaveUp) = try waiter.wait(for: targets, timeout: 60) {
            became.append($0.target.component)
        }
        XCTAssertFalse(gaveUp)
        XCTAssertEqual(became, ["kubelet", "kube-apiserver", "kube-scheduler"])
        let times = progress.map { $0.secondsToHealthy ?? -1 }
        // Each within one round (at most 225 ms plus the exchanges) of its own time.
        for (time, due) in zip(times, [0.3, 2.0, 3.0]) {
            XCTAssertGreaterThanOrEqual(time, due)
            XCTAssertLessThan(time, due + 0.26)
        }
        XCTAssertEqual(seconds, times.max()!, accuracy: 0.001)
        // The API server's /readyz is asked only once /livez said ok.
        let readyz = transport.requests.filter { $0.request.url.hasSuffix("/readyz") }
        XCTAssertGreaterThanOrEqual(readyz.first?.at ?? 0, 1000 + 1.0)
    }

    func testDeadlineIsKeptAndTheLastRealAnswerRemains() throws {
        let clock = ManualClock()
        let transport = script(clock, readyAt: [HealthTargetFixture.kubelet.urls[0]: 0.1])
        var waiter = ControlPlaneWaiter(
            localAPI: { transport }, loopback: { transport }, clock: clock, random: FixedRandom(0.5))
        waiter.requestTimeout = 2
        let (progress, seconds, gaveUp) = try waiter.wait(for: targets, timeout: 1.5)
        XCTAssertFalse(gaveUp)
        XCTAssertEqual(progress.map(\.healthy), [true, false, false])
        XCTAssertLessThanOrEqual(seconds, 1.5 + 0.01)
        XCTAssertEqual(progress[2].last?.status, 500)
    }

    func testTLSFailureEndsTheWaitEarlyButA403DoesNot() throws {
        let clock = ManualClock()
        let tls = HealthScriptTransport(clock: clock) { _, _ in .fail(.tls) }
        let waiter = ControlPlaneWaiter(localAPI: { tls }, loopback: { tls }, clock: clock, random: FixedRandom(0.5))
        let (_, seconds, gaveUp) = try waiter.wait(for: [HealthTargetFixture.apiServer], timeout: 60)
        XCTAssertTrue(gaveUp)
        XCTAssertLessThan(seconds, 2)

        let forbidden = HealthScriptTransport(clock: clock) { _, _ in .answer(403, "forbidden") }
        let patient = ControlPlaneWaiter(
            localAPI: { forbidden }, loopback: { forbidden }, clock: clock, random: FixedRandom(0.5))
        let (_, waited, gaveUpOn403) = try patient.wait(for: [HealthTargetFixture.apiServer], timeout: 10)
        XCTAssertFalse(gaveUpOn403, "a starting API server denies health paths until its RBAC roles exist")
        XCTAssertEqual(waited, 10, accuracy: 0.01)
    }
}

/// Targets as the modern profile's defaults give them.
enum HealthTargetFixture {
    static let kubelet = HealthTarget(
        component: "kubelet", urls: ["http://127.0.0.1:10248/healthz"], host: "127.0.0.1", port: 10248,
        access: .loopback, program: "kubelet")
    static let apiServer = HealthTarget(
        component: "kube-apiserver", urls: ["https://127.0.0.1:6443/livez", "https://127.0.0.1:6443/readyz"],
        host: "127.0.0.1", port: 6443, access: .localAPI, program: "kube-apiserver")
    static let scheduler = HealthTarget(
        component: "kube-scheduler", urls: ["https://127.0.0.1:10259/livez"], host: "127.0.0.1", port: 10259,
        access: .loopback, program: "kube-scheduler")
}
