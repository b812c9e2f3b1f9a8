import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// The agent binary run inside a real systemd (nspawn container), with a stand-in kubelet:
/// enable then start, a converged rerun that touches nothing, a config change that restarts,
/// a failing ExecStart reported with its journal lines, operator drop-ins kept, the networking.service trap.
final class AgentInContainerTests: XCTestCase {
    private static let shared = SystemdSandbox.PerClass(name: "ma-agent-\(getpid())")
    private var sandbox: SystemdSandbox!

    override class func tearDown() {
        shared.stop()
        super.tearDown()
    }

    override func setUpWithError() throws {
        sandbox = try Self.shared.sandbox()
        // The binary is copied in: the host's /tmp and other mounts are not part of the container's root.
        try sandbox.copy(TestSupport.binary.path, to: "/usr/local/sbin/master-agent")
        try sandbox.write(
            "/usr/local/bin/kubelet", "#!/bin/sh\necho stand-in kubelet starting \"$@\"\nexec sleep infinity\n",
            executable: true)
        try sandbox.write(
            "/usr/local/bin/broken-kubelet", "#!/bin/sh\necho 'kubelet: unknown flag: --api-servers' >&2\nexit 2\n",
            executable: true)
        // Each test starts from no kubelet unit.
        _ = try sandbox.exec(["systemctl", "disable", "--now", "kubelet.service"])
        for path in ["/etc/systemd/system/kubelet.service", "/etc/systemd/system/kubelet.service.d"] {
            try? FileManager.default.removeItem(atPath: sandbox.merged + path)
        }
        _ = try sandbox.exec(["systemctl", "daemon-reload"])
        _ = try sandbox.exec(["systemctl", "reset-failed"])
    }

    private func writeConfig(
        requires: String = "[]", housekeeping: String = "60s", binary: String = "/usr/local/bin/kubelet"
    ) throws {
        let text = try TestSupport.fixtureText("seed-cluster.yaml")
            .replacingOccurrences(
                of: "  housekeepingInterval: 60s",
                with: "  housekeepingInterval: \(housekeeping)\n  unitRequires: \(requires)\n  unitAfter: []"
            )
            .replacingOccurrences(of: "  binary: /usr/local/bin/kubelet", with: "  binary: \(binary)")
        try sandbox.write("/etc/master-agent/cluster.yaml", text)
    }

    private func bootstrap() throws -> (status: Int32, stdout: String, stderr: String) {
        try sandbox.exec([
            "/usr/local/sbin/master-agent", "bootstrap", "--node", "master01", "--steps",
            "kubelet-unit,manifests,kubelet-start",
        ])
    }

    private func show(_ property: String) throws -> String {
        try sandbox.exec(["systemctl", "show", "-p", property, "--value", "kubelet.service"]).stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
    }

    func testEnableStartThenConvergedRerunThenChangeRestarts() throws {
        try writeConfig()
        let first = try bootstrap()
        XCTAssertEqual(first.status, 0, first.stdout + first.stderr)
        XCTAssertTrue(
            first.stdout.contains(
                "reloaded systemd; enabled (/etc/systemd/system/multi-user.target.wants/kubelet.service"), first.stdout)
        XCTAssertTrue(first.stdout.contains("started kubelet.service: active (running)"), first.stdout)
        XCTAssertEqual(try sandbox.exec(["systemctl", "is-enabled", "kubelet.service"]).stdout, "enabled\n")
        XCTAssertEqual(try sandbox.exec(["systemctl", "is-active", "kubelet.service"]).stdout, "active\n")
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: sandbox.merged + "/etc/kubernetes/manifests/kube-apiserver.yaml"))
        let started = try show("ExecMainStartTimestampMonotonic")
        let restarts = try show("NRestarts")

        let second = try bootstrap()
        XCTAssertEqual(second.status, 0, second.stdout + second.stderr)
        XCTAssertTrue(second.stdout.contains("already enabled, unit unchanged"), second.stdout)
        XCTAssertTrue(second.stdout.contains("kubelet-start unchanged"), second.stdout)
        XCTAssertEqual(
            try show("ExecMainStartTimestampMonotonic"), started, "a converged rerun must not restart the kubelet")
        XCTAssertEqual(try show("NRestarts"), restarts)

        try writeConfig(housekeeping: "30s")
        let third = try bootstrap()
        XCTAssertEqual(third.status, 0, third.stdout + third.stderr)
        XCTAssertTrue(third.stdout.contains("reloaded systemd"), third.stdout)
        XCTAssertTrue(third.stdout.contains("restarted kubelet.service"), third.stdout)
        XCTAssertNotEqual(try show("ExecMainStartTimestampMonotonic"), started)
        XCTAssertTrue(try show("ExecStart").contains("--housekeeping-interval=30s"))
    }

    func testFailingExecStartGivesJournalLinesAndNonZeroExit() throws {
        try writeConfig(binary: "/usr/local/bin/broken-kubelet")
        let result = try bootstrap()
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("could not start kubelet.service"), result.stdout)
        XCTAssertTrue(result.stdout.contains("unknown flag: --api-servers"), "journal lines missing:\n\(result.stdout)")
    }

    func testOperatorDropInSurvivesAndIsListed() throws {
        try writeConfig()
        XCTAssertEqual(try bootstrap().status, 0)
        try sandbox.write(
            "/etc/systemd/system/kubelet.service.d/10-operator.conf", "[Service]\nEnvironment=OPERATOR=1\n")
        let rerun = try bootstrap()
        XCTAssertEqual(rerun.status, 0, rerun.stdout + rerun.stderr)
        XCTAssertTrue(rerun.stdout.contains("reloaded systemd; drop-ins kept: 10-operator.conf"), rerun.stdout)
        XCTAssertTrue(rerun.stdout.contains("restarted kubelet.service"), rerun.stdout)
        XCTAssertTrue(
            FileManager.default.fileExists(
                atPath: sandbox.merged + "/etc/systemd/system/kubelet.service.d/10-operator.conf"))
        XCTAssertTrue(try show("DropInPaths").contains("10-operator.conf"))
        XCTAssertTrue(try show("Environment").contains("OPERATOR=1"))
        let third = try bootstrap()
        XCTAssertTrue(
            third.stdout.contains("already enabled, unit unchanged; drop-ins kept: 10-operator.conf"), third.stdout)
        XCTAssertTrue(third.stdout.contains("kubelet-start unchanged"), third.stdout)
    }

    func testResetOfAnAlreadyStoppedKubeletDoesNotClaimToStopIt() throws {
        try writeConfig()
        XCTAssertEqual(try bootstrap().status, 0)
        _ = try sandbox.exec(["systemctl", "stop", "kubelet.service"])
        let reset = try sandbox.exec(["/usr/local/sbin/master-agent", "reset", "--node", "master01", "--yes"])
        XCTAssertEqual(reset.status, 0, reset.stdout + reset.stderr)
        XCTAssertFalse(reset.stdout.contains("stopped"), reset.stdout)
        XCTAssertTrue(reset.stdout.contains("removed"), reset.stdout)
        XCTAssertNotEqual(try sandbox.exec(["systemctl", "is-enabled", "kubelet.service"]).stdout, "enabled\n")
    }

    func testResetThatCannotStopTheKubeletRemovesTheFilesButSaysItIsIncomplete() throws {
        try writeConfig()
        XCTAssertEqual(try bootstrap().status, 0)
        // systemd itself refuses the stop: StopUnit fails with org.freedesktop.systemd1.OnlyByDependency.
        try sandbox.write("/etc/systemd/system/kubelet.service.d/refuse-stop.conf", "[Unit]\nRefuseManualStop=yes\n")
        addTeardownBlock { [sandbox] in
            try? FileManager.default.removeItem(atPath: sandbox!.merged + "/etc/systemd/system/kubelet.service.d")
            _ = try? sandbox!.exec(["systemctl", "daemon-reload"])
            _ = try? sandbox!.exec(["systemctl", "stop", "kubelet.service"])
        }
        _ = try sandbox.exec(["systemctl", "daemon-reload"])

        let reset = try sandbox.exec(["/usr/local/sbin/master-agent", "reset", "--node", "master01", "--yes"])
        XCTAssertEqual(reset.status, 1, reset.stdout + reset.stderr)
        XCTAssertTrue(reset.stderr.contains("master01: reset incomplete: could not stop kubelet.service"), reset.stderr)
        XCTAssertTrue(reset.stderr.contains("systemctl disable --now kubelet.service"), reset.stderr)
        XCTAssertFalse(reset.stdout.contains("stopped") || reset.stdout.contains("reset done"), reset.stdout)
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: sandbox.merged + "/etc/kubernetes/manifests/kube-apiserver.yaml"))
        XCTAssertEqual(
            try sandbox.exec(["systemctl", "is-active", "kubelet.service"]).stdout, "active\n",
            "systemd refused the stop")
    }

    func testMissingNetworkingServiceIsExplained() throws {
        try writeConfig(requires: "[networking.service]")
        let result = try bootstrap()
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        XCTAssertTrue(
            result.stdout.contains("requires networking.service, which systemd cannot find (not-found)"), result.stdout)
        XCTAssertTrue(result.stdout.contains("install ifupdown"), result.stdout)
        XCTAssertEqual(try sandbox.exec(["systemctl", "is-active", "kubelet.service"]).stdout, "inactive\n")
    }

    func testFullBootstrapThenConvergedRerunStatusAndReset() throws {
        // The API server double on the host's loopback, which the container shares.
        let api = try CurlDoubleProcess(["--mode", "legacy"])
        defer { api.stop() }
        let work = try TestSupport.makeTemporaryDirectory(self, name: "full")
        let ca = try TestCA.make(in: work, subject: "/CN=container-ca", days: 10)
        try sandbox.write("/root/ca/ca.key", try String(contentsOfFile: ca.key, encoding: .utf8))
        try sandbox.write("/root/ca/ca.crt", try String(contentsOfFile: ca.cert, encoding: .utf8))
        for name in ["ca.crt", "etcd-client.crt", "etcd-client.key"] {
            try sandbox.write("/etc/ssl/etcd/\(name)", "placeholder\n")
        }
        let text = try TestSupport.fixtureText("seed-cluster.yaml")
            .replacingOccurrences(
                of: "  housekeepingInterval: 60s",
                with: "  housekeepingInterval: 60s\n  unitRequires: []\n  unitAfter: []"
            )
            .replacingOccurrences(of: "localURL: http://127.0.0.1:8080", with: "localURL: \(api.baseURL)")
            .replacingOccurrences(
                of: "  validityDays: 365",
                with: "  validityDays: 365\n  caCert: /root/ca/ca.crt\n  caKey: /root/ca/ca.key"
            )
            // etcd is only health-checked (a warning when down); loopback keeps that probe on this machine.
            .replacingOccurrences(of: "https://192.168.0.1:2379", with: "https://127.0.0.1:9")
            .replacingOccurrences(of: "    - https://192.168.0.2:2379\n    - https://192.168.0.3:2379\n", with: "")
        // preflight GETs every etcd endpoint: stop here unless all of them are on the loopback.
        guard !text.contains("https://192.168.") else {
            return XCTFail("the etcd endpoints were not moved to 127.0.0.1; not running preflight")
        }
        try sandbox.write("/etc/master-agent/cluster.yaml", text)
        let agent = ["/usr/local/sbin/master-agent"]

        let first = try sandbox.exec(agent + ["bootstrap", "--node", "master01"])
        XCTAssertEqual(first.status, 0, first.stdout + first.stderr)
        for step in [
            "preflight     done", "certs         changed", "kubelet-unit  changed", "manifests     changed",
            "kubelet-start changed",
            "wait-api      done", "election      ", "namespace     changed",
        ] {
            XCTAssertTrue(first.stdout.contains(step), "\(step) missing:\n\(first.stdout)")
        }
        let state = try XCTUnwrap(try api.control("state") as? [String: Any])
        XCTAssertEqual("\(state)".contains("kube-system"), true)

        let started = Date()
        let second = try sandbox.exec(agent + ["bootstrap", "--node", "master01", "--output", "json"])
        XCTAssertEqual(second.status, 0, second.stdout + second.stderr)
        let steps = try XCTUnwrap(
            (try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])?["steps"]
                as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: steps.map { ($0["step"] as! String, $0["status"] as! String) })
        for step in ["certs", "kubelet-unit", "manifests", "kubelet-start"] {
            XCTAssertEqual(byName[step], "unchanged", step)
        }
        XCTAssertEqual(byName["namespace"], "unchanged", "kube-system already exists: nothing created")
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)

        let status = try sandbox.exec(agent + ["status", "--node", "master01"])
        XCTAssertEqual(status.status, 0, status.stdout + status.stderr)
        XCTAssertTrue(status.stdout.contains("master01: healthy"), status.stdout)
        XCTAssertTrue(status.stdout.contains("enabled, active (running)"), status.stdout)

        let reset = try sandbox.exec(agent + ["reset", "--node", "master01", "--yes"])
        XCTAssertEqual(reset.status, 0, reset.stdout + reset.stderr)
        XCTAssertEqual(try sandbox.exec(["systemctl", "is-active", "kubelet.service"]).stdout, "inactive\n")
        XCTAssertNotEqual(try sandbox.exec(["systemctl", "is-enabled", "kubelet.service"]).stdout, "enabled\n")
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: sandbox.merged + "/etc/kubernetes/manifests/kube-apiserver.yaml"))
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: sandbox.merged + "/etc/kubernetes/ssl/apiserver.key"),
            "TLS material is kept")
        let after = try sandbox.exec(agent + ["status", "--node", "master01"])
        XCTAssertEqual(after.status, 1)
        XCTAssertTrue(after.stdout.contains("missing"), after.stdout)
        // Again on the reset node: systemd no longer knows the unit, so there is nothing to stop, disable
        // or remove, and reset says so by claiming nothing.
        let again = try sandbox.exec(agent + ["reset", "--node", "master01", "--yes"])
        XCTAssertEqual(again.status, 0, again.stdout + again.stderr)
        XCTAssertFalse(again.stdout.contains("stopped") || again.stdout.contains("removed"), again.stdout)
        XCTAssertTrue(again.stdout.contains("master01: reset done"), again.stdout)
        for path in [
            "/etc/kubernetes/ssl", "/etc/kubernetes/manifests", "/etc/master-agent", "/root/ca", "/etc/ssl/etcd",
        ] {
            try? FileManager.default.removeItem(atPath: sandbox.merged + path)
        }
    }
}
