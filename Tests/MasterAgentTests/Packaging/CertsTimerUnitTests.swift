import Foundation
import XCTest

@testable import MasterAgent

/// The renewal timer and its service as shipped in packaging/debian: what the host's `systemd-analyze verify` says
/// of them, and the lines the issue asks for. DebPackageTests verifies them again installed under a real systemd.
final class CertsTimerUnitTests: XCTestCase {
    static let debian = TestSupport.repoRoot.appendingPathComponent("packaging/debian")

    func unit(_ name: String) throws -> String {
        try String(contentsOf: Self.debian.appendingPathComponent(name), encoding: .utf8)
    }

    func testServiceRunsRenewDueAsOneshotAndTimerIsDailySpreadAndPersistent() throws {
        let service = try unit("master-agent-certs.service")
        for line in [
            "Type=oneshot", "ExecStart=/usr/bin/master-agent certs renew --due $MASTER_AGENT_CERTS_ARGS",
            "ConditionPathExists=/etc/master-agent/cluster.yaml", "EnvironmentFile=-/etc/default/master-agent",
        ] {
            XCTAssertTrue(service.contains("\n" + line + "\n"), "service lacks \(line)")
        }
        // A failing renewal (69: a legacy master's certificate is due, to renew by hand) must leave the unit failed.
        for hiding in ["SuccessExitStatus", "ExecStart=-", "ExecStart=!-"] {
            XCTAssertFalse(service.contains(hiding), "the service must not hide a failed run (\(hiding))")
        }
        let timer = try unit("master-agent-certs.timer")
        for line in [
            "OnCalendar=daily", "RandomizedDelaySec=1h", "Persistent=true", "Unit=master-agent-certs.service",
            "WantedBy=timers.target",
        ] {
            XCTAssertTrue(timer.contains("\n" + line + "\n"), "timer lacks \(line)")
        }
        XCTAssertTrue(
            try unit("master-agent.default").contains("\nMASTER_AGENT_CERTS_ARGS=\"\"\n"),
            "the service's $MASTER_AGENT_CERTS_ARGS is declared in /etc/default/master-agent")
    }

    func testBothUnitsPassSystemdAnalyzeVerify() throws {
        let analyze = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        guard FileManager.default.isExecutableFile(atPath: analyze.path) else {
            throw XCTSkip("systemd-analyze is not installed (scripts/setup installs systemd)")
        }
        let directory = try TestSupport.makeTemporaryDirectory(self, name: "units")
        for name in ["master-agent-certs.service", "master-agent-certs.timer"] {
            // verify checks that ExecStart's binary exists: the built agent stands in for /usr/bin/master-agent.
            let content = try unit(name).replacingOccurrences(
                of: "/usr/bin/master-agent", with: TestSupport.binary.path)
            try content.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let paths = ["master-agent-certs.service", "master-agent-certs.timer"].map {
            directory.appendingPathComponent($0).path
        }
        let result = try TestSupport.run(analyze, ["verify", "--man=no"] + paths)
        let output = result.stdout + result.stderr
        XCTAssertEqual(result.status, 0, output)
        XCTAssertFalse(output.contains("master-agent-certs"), "systemd-analyze has something to say:\n\(output)")
    }
}
