import Foundation
import Logging
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// The kubelet unit decisions (reload / enable / start / restart / nothing) against a recording systemd double.
final class KubeletUnitStepsTests: XCTestCase {
    private var store: InMemoryFileStore!
    private var units: RecordingUnitManager!
    private var clock: ManualClock!

    override func setUp() {
        store = InMemoryFileStore()
        units = RecordingUnitManager()
        clock = ManualClock()
        units.states["kubelet.service"] = RecordingUnitManager.unit("kubelet.service", requires: ["networking.service"])
        units.states["networking.service"] = RecordingUnitManager.unit(
            "networking.service", active: "active", fileState: "enabled")
    }

    private func context() throws -> BootstrapContext {
        let config = try TestSupport.seedConfig()
        let context = BootstrapContext(
            config: config, node: config.masters[0], files: store, dryRun: false, logger: Logger(label: "t"),
            clock: clock, random: FixedRandom(), makeAPITransport: { throw UsageError("unused") })
        context.units = units
        context.journal = FixedJournal(lines: ["kubelet: line 1", "kubelet: error: unknown flag --api-servers"])
        return context
    }

    /// Runs kubelet-unit then kubelet-start on one context, as bootstrap does.
    private func bootstrapUnit() throws -> (StepOutcome, StepOutcome) {
        let context = try context()
        return (try KubeletUnitStep().run(context), try KubeletStartStep().run(context))
    }

    func testFreshNodeReloadsEnablesThenStarts() throws {
        let (unit, start) = try bootstrapUnit()
        XCTAssertEqual(units.calls, ["Reload", "EnableUnitFiles kubelet.service", "StartUnit kubelet.service"])
        XCTAssertEqual(unit.status, .changed)
        XCTAssertTrue(unit.message.contains("multi-user.target.wants/kubelet.service"), unit.message)
        XCTAssertEqual(start.status, .changed)
        XCTAssertEqual(clock.sleeps.reduce(0, +), 3, accuracy: 0.01, "watched the kubelet for the settle time")
    }

    func testConvergedRerunMakesNoCalls() throws {
        _ = try bootstrapUnit()
        let before = units.calls.count
        let (unit, start) = try bootstrapUnit()
        XCTAssertEqual(Array(units.calls.dropFirst(before)), [])
        XCTAssertEqual(unit.status, .unchanged)
        XCTAssertEqual(start.status, .unchanged)
    }

    func testChangedUnitWhileRunningReloadsAndRestarts() throws {
        _ = try bootstrapUnit()
        store.files["/etc/systemd/system/kubelet.service"] = ExistingFile(
            data: Data("old".utf8), mode: 0o600, ownerUID: geteuid())
        let before = units.calls.count
        _ = try bootstrapUnit()
        XCTAssertEqual(Array(units.calls.dropFirst(before)), ["Reload", "RestartUnit kubelet.service"])
    }

    func testNewDropInReloadsAndRestarts() throws {
        _ = try bootstrapUnit()
        store.files["/etc/systemd/system/kubelet.service.d/10-proxy.conf"] = ExistingFile(
            data: Data("[Service]\n".utf8), mode: 0o644, ownerUID: 0)
        units.dropInsOnReload = ["/etc/systemd/system/kubelet.service.d/10-proxy.conf"]
        let before = units.calls.count
        let (unit, _) = try bootstrapUnit()
        let after = units.calls.count
        _ = try bootstrapUnit()
        XCTAssertEqual(units.calls.count, after, "once systemd loaded the drop-in, a rerun does nothing")
        XCTAssertEqual(Array(units.calls.dropFirst(before)), ["Reload", "RestartUnit kubelet.service"])
        XCTAssertTrue(unit.message.contains("drop-ins kept: 10-proxy.conf"), unit.message)
        XCTAssertNotNil(store.files["/etc/systemd/system/kubelet.service.d/10-proxy.conf"])
    }

    func testMissingRequiresUnitIsExplainedBeforeStarting() throws {
        units.states["networking.service"] = nil
        let context = try context()
        _ = try KubeletUnitStep().run(context)
        XCTAssertThrowsError(try KubeletStartStep().run(context)) { error in
            XCTAssertTrue(
                "\(error)".contains("requires networking.service, which systemd cannot find (not-found)"), "\(error)")
            XCTAssertTrue("\(error)".contains("install ifupdown, or set kubelet.unitRequires"), "\(error)")
        }
        XCTAssertFalse(units.calls.contains { $0.hasPrefix("StartUnit") })
    }

    func testFailedJobReportsJournalLines() throws {
        units.jobResult = "failed"
        XCTAssertThrowsError(try bootstrapUnit()) { error in
            XCTAssertTrue("\(error)".contains("could not start kubelet.service: job failed"), "\(error)")
            XCTAssertTrue("\(error)".contains("unknown flag --api-servers"), "\(error)")
        }
    }

    func testRestartLoopAfterStartIsAFailure() throws {
        units.afterStart = { $0.nRestarts = ($0.nRestarts ?? 0) + 1 }
        XCTAssertThrowsError(try bootstrapUnit()) { error in
            XCTAssertTrue("\(error)".contains("restarted 1 time(s) after starting"), "\(error)")
        }
    }

    func testOfflineEnablesBySymlinkAndStartsNothing() throws {
        let root = try TestSupport.makeTemporaryDirectory(self)
        let config = try TestSupport.seedConfig()
        let fs = RootedFileSystem(root: root.path)
        let context = BootstrapContext(
            config: config, node: config.masters[0], files: fs, dryRun: false, logger: Logger(label: "t"),
            clock: clock, random: FixedRandom(), makeAPITransport: { throw UsageError("unused") })
        context.offlineUnits = fs
        let unit = try KubeletUnitStep().run(context)
        XCTAssertTrue(unit.message.contains("enabled offline"), unit.message)
        let link = root.path + "/etc/systemd/system/multi-user.target.wants/kubelet.service"
        XCTAssertEqual(
            try FileManager.default.destinationOfSymbolicLink(atPath: link), "/etc/systemd/system/kubelet.service")
        XCTAssertEqual(try KubeletUnitStep().run(context).status, .unchanged, "second offline run changes nothing")
        XCTAssertEqual(try KubeletStartStep().run(context).status, .skipped)
    }

    func testNoSystemdAndNotOfflineIsAClearError() throws {
        let context = try context()
        context.units = nil
        context.unitsUnavailableReason = "there is no systemd to talk to (no bus)"
        XCTAssertThrowsError(try KubeletUnitStep().run(context)) {
            XCTAssertTrue("\($0)".contains("there is no systemd to talk to"), "\($0)")
        }
    }

    func testDecisionTable() {
        let cases: [(String, Bool, UnitDecisions.StartAction)] = [
            ("inactive", false, .start), ("failed", false, .start), ("failed", true, .start),
            ("active", false, .none), ("active", true, .restart), ("activating", true, .restart),
            ("activating", false, .none),
        ]
        for (state, changed, expected) in cases {
            XCTAssertEqual(
                UnitDecisions.startAction(activeState: state, unitChanged: changed), expected, "\(state) \(changed)")
        }
        XCTAssertEqual(
            UnitDecisions.enablePlan(unitFileChanged: false, needDaemonReload: false, unitFileState: "enabled"),
            .init(reload: false, enable: false))
        XCTAssertEqual(
            UnitDecisions.enablePlan(unitFileChanged: true, needDaemonReload: false, unitFileState: "enabled"),
            .init(reload: true, enable: false))
        XCTAssertEqual(
            UnitDecisions.enablePlan(unitFileChanged: false, needDaemonReload: false, unitFileState: "disabled"),
            .init(reload: false, enable: true))
        XCTAssertEqual(
            UnitDecisions.missingDependencies(["a.service": "loaded", "b.service": "not-found", "c.service": "masked"]),
            ["b.service", "c.service"])
    }

    func testUnitWrittenByAnInterruptedRunIsRestartedByTheNextOne() throws {
        _ = try bootstrapUnit()
        units.states["kubelet.service"]?.execMainStartTimestamp = 1_000_000_000_000_000 // started at t = 1e9 s
        store.modifiedAt["/etc/systemd/system/kubelet.service"] = 1_000_000_100 // unit written 100 s later
        let before = units.calls.count
        _ = try bootstrapUnit()
        XCTAssertEqual(Array(units.calls.dropFirst(before)), ["RestartUnit kubelet.service"])
        store.modifiedAt["/etc/systemd/system/kubelet.service"] = 999_999_000
        let after = units.calls.count
        _ = try bootstrapUnit()
        XCTAssertEqual(units.calls.count, after, "a kubelet started after its unit was written is left alone")
    }
}
