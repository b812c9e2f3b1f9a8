import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// SystemdManager and JournalReader against a real systemd in an nspawn container, driven from
/// this (host) process over the container's D-Bus socket. One container for the whole class.
final class SystemdManagerIntegrationTests: XCTestCase {
    private static let shared = SystemdSandbox.PerClass(name: "ma-sd-\(getpid())")

    private var sandbox: SystemdSandbox!
    private var manager: SystemdManager!

    override class func tearDown() {
        shared.stop()
        super.tearDown()
    }

    override func setUpWithError() throws {
        sandbox = try Self.shared.sandbox()
        // Through the container's dbus-daemon, as the agent talks on a node: systemd's private
        // socket refuses peers outside its PID namespace, which this host process is.
        manager = try SystemdManager(bus: SystemdBus.systemBus(root: sandbox.root))
        try manager.subscribe()
    }

    override func tearDown() {
        manager = nil
        sandbox = nil
        super.tearDown()
    }

    // MARK: helpers

    // A stand-in kubelet: a process that stays up like the real one.
    private func installSleeper(_ unit: String, extra: String = "") throws {
        try sandbox.write("/usr/local/bin/standin-kubelet", "#!/bin/sh\nexec sleep infinity\n", executable: true)
        try sandbox.write(
            "/etc/systemd/system/\(unit)",
            """
            [Unit]
            Description=stand-in kubelet for tests
            \(extra)
            [Service]
            ExecStart=/usr/local/bin/standin-kubelet
            [Install]
            WantedBy=multi-user.target

            """)
    }

    private func inside(_ arguments: String...) throws -> String {
        let result = try sandbox.exec(arguments)
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // Bounded poll of a real, asynchronous peer (journald, systemd's restart timer); not a sleep-to-pass.
    private func eventually<T>(within seconds: Double = 10, _ probe: () throws -> T?) throws -> T? {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            if let value = try probe() { return value }
            Thread.sleep(forTimeInterval: 0.05)
        } while Date() < deadline
        return nil
    }

    // MARK: tests

    func testEnabledUnitStartsAndShowsActiveInside() throws {
        try installSleeper("standin-kubelet.service")
        try manager.reload()

        let enabled = try manager.enableUnitFiles(["standin-kubelet.service"])
        XCTAssertTrue(enabled.carriesInstallInfo)
        XCTAssertEqual(
            enabled.changes,
            [
                UnitFileChange(
                    type: "symlink", file: "/etc/systemd/system/multi-user.target.wants/standin-kubelet.service",
                    destination: "/etc/systemd/system/standin-kubelet.service")
            ])
        XCTAssertEqual(try inside("systemctl", "is-enabled", "standin-kubelet.service"), "enabled")

        let job = try manager.startUnit("standin-kubelet.service")
        XCTAssertTrue(job.hasPrefix("/org/freedesktop/systemd1/job/"), job)
        XCTAssertEqual(try manager.waitForJob(job, timeout: .seconds(20)), "done")

        let status = try manager.unitStatus("standin-kubelet.service")
        XCTAssertEqual(status.loadState, "loaded")
        XCTAssertEqual(status.activeState, "active")
        XCTAssertEqual(status.subState, "running")
        XCTAssertEqual(status.result, "success")
        XCTAssertEqual(status.nRestarts, 0)
        XCTAssertEqual(status.unitFileState, "enabled")
        XCTAssertEqual(status.fragmentPath, "/etc/systemd/system/standin-kubelet.service")
        XCTAssertFalse(status.needDaemonReload)
        XCTAssertGreaterThan(status.execMainStartTimestamp ?? 0, 0)
        XCTAssertEqual(try inside("systemctl", "is-active", "standin-kubelet.service"), "active")

        let again = try manager.enableUnitFiles(["standin-kubelet.service"])
        XCTAssertEqual(again.changes, [], "a second enable makes no new symlinks")
    }

    func testRestartGivesNewStartTimestampWithoutCountingAsAutomaticRestart() throws {
        try installSleeper("standin-restart.service")
        try manager.reload()
        XCTAssertEqual(
            try manager.waitForJob(try manager.startUnit("standin-restart.service"), timeout: .seconds(20)), "done")
        let before = try manager.unitStatus("standin-restart.service")

        XCTAssertEqual(
            try manager.waitForJob(try manager.restartUnit("standin-restart.service"), timeout: .seconds(20)), "done")
        let after = try manager.unitStatus("standin-restart.service")
        XCTAssertEqual(after.activeState, "active")
        XCTAssertGreaterThan(after.execMainStartTimestamp ?? 0, before.execMainStartTimestamp ?? 0)
        XCTAssertEqual(after.nRestarts, 0)
    }

    func testChangedUnitFileNeedsReloadUntilReloaded() throws {
        try installSleeper("standin-reload.service")
        try manager.reload()
        // Running, so systemd keeps it loaded: an idle unreferenced unit would be collected and
        // simply reloaded from the new file.
        XCTAssertEqual(
            try manager.waitForJob(try manager.startUnit("standin-reload.service"), timeout: .seconds(20)), "done")
        XCTAssertFalse(try manager.unitStatus("standin-reload.service").needDaemonReload)

        try installSleeper("standin-reload.service", extra: "Documentation=man:kubelet(8)")
        XCTAssertTrue(try manager.unitStatus("standin-reload.service").needDaemonReload)
        try manager.reload()
        XCTAssertFalse(try manager.unitStatus("standin-reload.service").needDaemonReload)
    }

    func testDropInIsReportedAndDisableRemovesInstallSymlink() throws {
        try installSleeper("standin-dropin.service")
        try sandbox.write(
            "/etc/systemd/system/standin-dropin.service.d/10-operator.conf", "[Service]\nEnvironment=A=1\n")
        try manager.reload()
        XCTAssertEqual(
            try manager.unitStatus("standin-dropin.service").dropInPaths,
            ["/etc/systemd/system/standin-dropin.service.d/10-operator.conf"])

        _ = try manager.enableUnitFiles(["standin-dropin.service"])
        let changes = try manager.disableUnitFiles(["standin-dropin.service"])
        XCTAssertEqual(changes.map(\.type), ["unlink"])
        XCTAssertEqual(changes.map(\.file), ["/etc/systemd/system/multi-user.target.wants/standin-dropin.service"])
        XCTAssertEqual(try inside("systemctl", "is-enabled", "standin-dropin.service"), "disabled")
    }

    func testFailingExecStartGivesFailedJobAndJournalLines() throws {
        try sandbox.write(
            "/usr/local/bin/standin-broken",
            """
            #!/bin/sh
            echo "standin kubelet: failed to load kubelet config file /var/lib/kubelet/config.yaml" >&2
            exit 3

            """, executable: true)
        try sandbox.write(
            "/etc/systemd/system/standin-broken.service",
            """
            [Service]
            Type=oneshot
            ExecStart=/usr/local/bin/standin-broken

            """)
        try manager.reload()

        let result = try manager.waitForJob(try manager.startUnit("standin-broken.service"), timeout: .seconds(20))
        XCTAssertEqual(result, "failed")
        let status = try manager.unitStatus("standin-broken.service")
        XCTAssertEqual(status.activeState, "failed")
        XCTAssertEqual(status.result, "exit-code")

        let lines = try eventually { () -> [String]? in
            let lines = try JournalReader(root: sandbox.root).lastLines(unit: "standin-broken.service", count: 20)
            return lines.contains(where: { $0.contains("failed to load kubelet config file") }) ? lines : nil
        }
        let found = try XCTUnwrap(lines, "the unit's stderr never reached the journal")
        XCTAssertTrue(
            found.contains(where: { $0.contains("standin-broken.service") && $0.contains("status=3") }),
            "systemd's own line about the exit status is included: \(found)")
        XCTAssertLessThanOrEqual(
            try JournalReader(root: sandbox.root).lastLines(unit: "standin-broken.service", count: 2).count, 2)
    }

    func testCrashLoopingUnitCountsRestartsAndStops() throws {
        try sandbox.write(
            "/etc/systemd/system/standin-crashloop.service",
            """
            [Unit]
            StartLimitIntervalSec=0
            [Service]
            ExecStart=/bin/false
            Restart=always
            RestartSec=100ms

            """)
        try manager.reload()
        XCTAssertEqual(
            try manager.waitForJob(try manager.startUnit("standin-crashloop.service"), timeout: .seconds(20)), "done")

        let restarts = try eventually { () -> UInt32? in
            let count = try manager.unitStatus("standin-crashloop.service").nRestarts ?? 0
            return count >= 2 ? count : nil
        }
        XCTAssertNotNil(restarts, "NRestarts never reached 2")

        XCTAssertEqual(
            try manager.waitForJob(try manager.stopUnit("standin-crashloop.service"), timeout: .seconds(20)), "done")
        XCTAssertEqual(try manager.unitStatus("standin-crashloop.service").activeState, "inactive")
    }

    func testWaitForJobTimesOutThenReportsCanceled() throws {
        try sandbox.write(
            "/etc/systemd/system/standin-slow.service",
            """
            [Service]
            Type=oneshot
            ExecStart=/bin/sleep 30

            """)
        try manager.reload()
        let start = try manager.startUnit("standin-slow.service")

        XCTAssertThrowsError(try manager.waitForJob(start, timeout: .milliseconds(200))) { error in
            XCTAssertEqual((error as? SystemdError)?.code, .jobTimeout)
        }
        let stop = try manager.stopUnit("standin-slow.service")
        XCTAssertEqual(try manager.waitForJob(start, timeout: .seconds(20)), "canceled")
        XCTAssertEqual(try manager.waitForJob(stop, timeout: .seconds(20)), "done")
    }

    func testStartingMissingUnitKeepsNoSuchUnitName() throws {
        XCTAssertThrowsError(try manager.startUnit("no-such-standin.service")) { error in
            guard let error = error as? SystemdError else { return XCTFail("not a SystemdError: \(error)") }
            XCTAssertEqual(error.code, .noSuchUnit)
            XCTAssertEqual(error.busErrorName, "org.freedesktop.systemd1.NoSuchUnit")
            XCTAssertEqual(error.cause, "Unit no-such-standin.service not found.")
            XCTAssertTrue(
                error.description.hasPrefix(
                    "could not call StartUnit on no-such-standin.service: org.freedesktop.systemd1.NoSuchUnit: Unit no-such-standin.service not found."
                ),
                error.description)
        }
    }

    func testMissingRequiredDependencyIsNotFoundAndBlocksStart() throws {
        try installSleeper(
            "standin-requires.service", extra: "Requires=networking-missing.service\nAfter=networking-missing.service")
        try manager.reload()

        let status = try manager.unitStatus("standin-requires.service")
        // Requires also lists systemd's implicit dependencies (sysinit.target, system.slice).
        XCTAssertTrue(status.requires.contains("networking-missing.service"), "\(status.requires)")
        XCTAssertEqual(try manager.unitStatus("networking-missing.service").loadState, "not-found")

        XCTAssertThrowsError(try manager.startUnit("standin-requires.service")) { error in
            XCTAssertEqual((error as? SystemdError)?.code, .noSuchUnit)
            XCTAssertEqual((error as? SystemdError)?.cause, "Unit networking-missing.service not found.")
        }
    }
}
