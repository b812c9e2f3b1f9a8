import Logging
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

final class BootstrapperTests: XCTestCase {
    private struct FixedStep: BootstrapStepRunner {
        let outcome: StepOutcome?
        let error: Error?
        func run(_ context: BootstrapContext) throws -> StepOutcome {
            if let error { throw error }
            return outcome!
        }
    }

    private struct Boom: Error, CustomStringConvertible { var description: String { "could not do it: boom" } }

    private func context() throws -> BootstrapContext {
        let config = try TestSupport.seedConfig()
        return BootstrapContext(
            config: config, node: config.masters[0], files: InMemoryFileStore(), dryRun: false,
            logger: Logger(label: "t"),
            clock: ManualClock(), random: FixedRandom(0.5),
            makeAPITransport: { throw UsageError("no API in this test") })
    }

    func testStepSelection() throws {
        XCTAssertEqual(try BootstrapStep.selection(steps: ["manifests"], until: nil), [.validate, .manifests])
        XCTAssertEqual(
            try BootstrapStep.selection(steps: ["certs", "kubelet-unit"], until: nil),
            [.validate, .certs, .kubeletUnit])
        XCTAssertEqual(
            try BootstrapStep.selection(steps: nil, until: "kubelet-start"),
            [.validate, .preflight, .clusterSecrets, .certs, .kubeletUnit, .manifests, .kubeletStart])
        XCTAssertEqual(try BootstrapStep.selection(steps: nil, until: nil), BootstrapStep.allCases)
        XCTAssertThrowsError(try BootstrapStep.selection(steps: ["manifest"], until: nil)) {
            XCTAssertTrue("\($0)".contains("unknown step \"manifest\""))
        }
        XCTAssertThrowsError(try BootstrapStep.selection(steps: ["certs"], until: "certs"))
    }

    func testMissingStepsAreReportedNotImplementedAndFailTheRun() throws {
        var clock = 0.0
        let runner = Bootstrapper(
            runners: [
                .manifests: FixedStep(
                    outcome: StepOutcome(step: .manifests, status: .unchanged, message: "ok"), error: nil)
            ],
            now: {
                clock += 0.25; return clock
            })
        let summary = runner.run(
            [.validate, .certs, .manifests], context: try context(),
            prior: [StepOutcome(step: .validate, status: .done, message: "valid")]
        ) { _ in }
        XCTAssertEqual(summary.outcomes.map(\.status), [.done, .notImplemented, .unchanged])
        XCTAssertEqual(summary.exitStatus, .notImplemented)
        XCTAssertEqual(summary.outcomes[2].durationMilliseconds, 250)
    }

    func testFailureStopsTheSequenceWithItsMessage() throws {
        let runner = Bootstrapper(
            runners: [
                .certs: FixedStep(outcome: nil, error: Boom()),
                .manifests: FixedStep(
                    outcome: StepOutcome(step: .manifests, status: .changed, message: ""), error: nil),
            ],
            now: { 0 })
        var seen: [BootstrapStep] = []
        let summary = runner.run([.certs, .manifests], context: try context(), prior: []) { seen.append($0.step) }
        XCTAssertEqual(seen, [.certs])
        XCTAssertEqual(summary.outcomes.last?.message, "could not do it: boom")
        XCTAssertEqual(summary.exitStatus, .failure)
    }
}
