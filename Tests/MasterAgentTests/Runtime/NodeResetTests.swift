import Foundation
import Logging
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// `reset` against a dictionary filesystem and a recording systemd double.
final class NodeResetTests: XCTestCase {
    private var store: InMemoryFileStore!
    private var units: RecordingUnitManager!
    private var config: ClusterConfig!
    private var rendered: [String] = []
    private let unitPath = "/etc/systemd/system/kubelet.service"
    private let tlsFiles = [
        "/etc/kubernetes/ssl/apiserver.key", "/etc/kubernetes/ssl/apiserver.crt",
        "/etc/kubernetes/ssl/apiserver.csr", "/etc/kubernetes/ssl/ca.crt",
    ]

    override func setUpWithError() throws {
        store = InMemoryFileStore()
        units = RecordingUnitManager()
        config = try TestSupport.seedConfig()
        rendered = try ManifestRenderer.all(config: config, node: config.masters[0]).map(\.path)
        for path in rendered + tlsFiles {
            store.files[path] = ExistingFile(data: Data("x".utf8), mode: 0o644, ownerUID: 0)
        }
        units.states["kubelet.service"] = RecordingUnitManager.unit(
            "kubelet.service", active: "active", fileState: "enabled")
    }

    private func context(units: UnitManager?, alternateRoot: Bool = false) -> BootstrapContext {
        let context = BootstrapContext(
            config: config, node: config.masters[0], files: store, dryRun: false, logger: Logger(label: "t"),
            clock: ManualClock(), random: FixedRandom(), makeAPITransport: { throw UsageError("unused") })
        context.units = units
        context.usesAlternateRoot = alternateRoot
        context.unitsUnavailableReason = "there is no systemd to talk to (no bus)"
        return context
    }

    private func reset(purgePKI: Bool = false, units: UnitManager?, alternateRoot: Bool = false) throws -> (
        NodeResetOutcome, [NodeResetEvent]
    ) {
        var events: [NodeResetEvent] = []
        let outcome = try NodeReset(purgePKI: purgePKI).run(context(units: units, alternateRoot: alternateRoot)) {
            events.append($0)
        }
        return (outcome, events)
    }

    func testRunningKubeletIsStoppedDisabledAndItsFilesRemovedButTLSMaterialKept() throws {
        let (outcome, events) = try reset(units: units)
        XCTAssertEqual(
            events,
            [.stopped("kubelet.service"), .removed("/etc/systemd/system/multi-user.target.wants/kubelet.service")])
        XCTAssertEqual(units.calls, ["StopUnit kubelet.service", "DisableUnitFiles kubelet.service", "Reload"])
        XCTAssertEqual(outcome.files, rendered.map { FileReport(path: $0, action: .removed) })
        XCTAssertTrue(rendered.contains(unitPath), "\(rendered)")
        XCTAssertEqual(store.files.keys.sorted(), tlsFiles.sorted())
        XCTAssertTrue(outcome.complete)
        XCTAssertNil(outcome.incompleteMessage)
    }

    func testPurgePKIAlsoRemovesTheTLSMaterial() throws {
        XCTAssertEqual(
            try NodeReset(purgePKI: true).paths(config: config, node: config.masters[0]), rendered + tlsFiles)
        let (outcome, _) = try reset(purgePKI: true, units: units)
        XCTAssertEqual(outcome.files.map(\.path), rendered + tlsFiles)
        XCTAssertEqual(store.files, [:])
    }

    func testAlreadyStoppedKubeletIsNotClaimedAsStopped() throws {
        units.states["kubelet.service"]?.activeState = "failed"
        let (outcome, events) = try reset(units: units)
        XCTAssertEqual(events, [.removed("/etc/systemd/system/multi-user.target.wants/kubelet.service")])
        XCTAssertTrue(units.calls.contains("StopUnit kubelet.service"), "a failed unit is stopped too, to clear it")
        XCTAssertTrue(outcome.complete)
    }

    func testUnitSystemdDoesNotKnowIsNeitherStoppedNorAProblem() throws {
        units.states = [:]
        units.failures["StopUnit kubelet.service"] = FakeUnitFailure(unitNotFound: true, description: "no such unit")
        units.failures["DisableUnitFiles kubelet.service"] = FakeUnitFailure(
            unitNotFound: true, description: "no such unit")
        let (outcome, events) = try reset(units: units)
        XCTAssertEqual(events, [])
        XCTAssertTrue(outcome.complete, outcome.problems.joined())
        XCTAssertEqual(outcome.files.count, rendered.count)
    }

    func testFailedStopJobLeavesTheResetIncompleteButStillRemovesTheFiles() throws {
        units.jobResult = "failed"
        let (outcome, events) = try reset(units: units)
        XCTAssertFalse(events.contains(.stopped("kubelet.service")))
        XCTAssertEqual(outcome.problems, ["stopping kubelet.service ended with job result \"failed\""])
        XCTAssertEqual(
            outcome.files.count, rendered.count, "without manifests a running kubelet stops the control-plane pods")
        XCTAssertEqual(
            outcome.incompleteMessage,
            "master01: reset incomplete: stopping kubelet.service ended with job result \"failed\". The unit and manifests were "
                + "removed; stop and disable the kubelet yourself (systemctl disable --now kubelet.service), then run reset again."
        )
    }

    func testRefusedStopAndDisableAreBothReported() throws {
        units.failures["StopUnit kubelet.service"] = FakeUnitFailure(description: "OnlyByDependency: Operation refused")
        units.failures["DisableUnitFiles kubelet.service"] = FakeUnitFailure(description: "AccessDenied")
        let (outcome, events) = try reset(units: units)
        XCTAssertEqual(events, [])
        XCTAssertEqual(
            outcome.problems,
            [
                "could not stop kubelet.service: OnlyByDependency: Operation refused",
                "could not disable kubelet.service: AccessDenied",
            ])
        XCTAssertEqual(units.calls.last, "Reload")
        XCTAssertTrue(store.files.keys.allSatisfy { tlsFiles.contains($0) })
    }

    func testOfflineTreeLosesExactlyTheInstallLinksTheOfflineEnableMade() throws {
        let link = "/etc/systemd/system/multi-user.target.wants/kubelet.service"
        store.files[link] = ExistingFile(data: Data(), mode: 0o777, ownerUID: 0)
        let (outcome, events) = try reset(units: nil, alternateRoot: true)
        XCTAssertEqual(events, [.removed(link)])
        XCTAssertNil(store.files[link])
        XCTAssertTrue(outcome.complete)
        XCTAssertEqual(outcome.files.count, rendered.count)
    }

    func testWithoutSystemdOnARealRootNothingIsRemoved() throws {
        XCTAssertThrowsError(try reset(units: nil)) { error in
            XCTAssertEqual(
                error as? NodeResetError,
                NodeResetError(unitName: "kubelet.service", reason: "there is no systemd to talk to (no bus)"))
            XCTAssertEqual(
                "\(error)",
                "could not stop kubelet.service: there is no systemd to talk to (no bus). Nothing was removed.")
        }
        XCTAssertEqual(store.removals, [])
        XCTAssertEqual(store.files.count, rendered.count + tlsFiles.count)
    }

    func testSecondResetFindsNothingToReport() throws {
        _ = try reset(units: units)
        let (again, events) = try reset(units: units)
        XCTAssertEqual(events, [])
        XCTAssertEqual(again.files, [])
        XCTAssertTrue(again.complete)
    }
}
