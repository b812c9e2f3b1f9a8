import Logging
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// The bootstrap's wait-api step in virtual time: localURL and waitTimeout from the config.
final class WaitAPIStepTests: XCTestCase {
    private func run(dryRun: Bool = false, readyAfter: Double) throws -> (
        Bootstrapper.Summary, HealthScriptTransport, ManualClock
    ) {
        let config = try TestSupport.seedConfig()
        let clock = ManualClock()
        let start = clock.now()
        let transport = HealthScriptTransport(clock: clock) { _, at in
            at - start < readyAfter
                ? .answer(500, "[-]etcd failed: reason withheld\nreadyz check failed\n") : .answer(200, "ok")
        }
        let context = BootstrapContext(
            config: config, node: config.masters[0], files: InMemoryFileStore(), dryRun: dryRun,
            logger: Logger(label: "t"), clock: clock, random: FixedRandom(0.5),
            makeAPITransport: { transport })
        let bootstrapper = Bootstrapper(
            runners: [.waitAPI: WaitAPIStep(probe: ScriptedTCPProbe(clock: clock, listensFrom: start + 1))],
            now: clock.now)
        let summary = bootstrapper.run([.waitAPI], context: context, prior: []) { _ in }
        return (summary, transport, clock)
    }

    func testWaitsForTheConfiguredLocalURL() throws {
        let (summary, transport, _) = try run(readyAfter: 2)
        XCTAssertEqual(summary.exitStatus, .success)
        XCTAssertEqual(summary.outcomes.first?.status, .done)
        XCTAssertTrue(
            summary.outcomes.first?.message.hasPrefix("http://127.0.0.1:8080 answered ok on /readyz after 2.") ?? false,
            "\(summary.outcomes)")
        XCTAssertEqual(transport.requests.first?.request.url, "http://127.0.0.1:8080/readyz")
    }

    func testDeadlineFromTheConfigEndsTheRunWithStatus4() throws {
        let (summary, _, clock) = try run(readyAfter: 10_000)
        XCTAssertEqual(summary.exitStatus, .apiTimeout)
        XCTAssertEqual(summary.outcomes.first?.status, .failed)
        XCTAssertTrue(
            summary.outcomes.first?.message.contains(
                "within 5m: last attempt GET http://127.0.0.1:8080/readyz: 500 [-]etcd failed") ?? false,
            "\(summary.outcomes)")
        XCTAssertEqual(clock.now() - 1000, 300, accuracy: 0.01)
    }

    func testDryRunDoesNotAskTheServer() throws {
        let (summary, transport, _) = try run(dryRun: true, readyAfter: 0)
        XCTAssertEqual(summary.outcomes.first?.status, .skipped)
        XCTAssertTrue(transport.requests.isEmpty)
    }
}
