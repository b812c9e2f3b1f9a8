import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// Config values that would break out of the kubelet unit, run through the built binary.
final class QuotingCommandTests: XCTestCase {
    /// The seed config with `old` replaced by `new`, written next to (not inside) `root`.
    private func config(_ root: URL, replacing old: String, with new: String) throws -> String {
        let text = try TestSupport.fixtureText("seed-cluster.yaml")
        XCTAssertEqual(text.components(separatedBy: old).count, 2, old)
        let path = root.path + "-cluster.yaml"
        try text.replacingOccurrences(of: old, with: new).write(toFile: path, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testInjectedExecStartPreIsRejectedNamingTheFieldAndNothingIsWritten() throws {
        let root = try TestSupport.makeTemporaryDirectory(self)
        let path = try config(
            root, replacing: "  binary: /usr/local/bin/kubelet",
            with: "  binary: \"/usr/local/bin/kubelet\\nExecStartPre=/bin/sh -c evil\"")
        for command in [["render", "--node", "master01", "--root", root.path], ["config", "validate"]] {
            let result = try TestSupport.agent(command + ["--config", path])
            XCTAssertEqual(
                result.status, ExitStatus.invalidConfig.rawValue, "\(command): \(result.stdout)\(result.stderr)")
            XCTAssertTrue(
                result.stderr.contains(
                    "  kubelet.binary: \"/usr/local/bin/kubelet\\nExecStartPre=/bin/sh -c evil\" contains"),
                result.stderr)
            XCTAssertTrue(result.stderr.contains("(1 problem)"), result.stderr)
            XCTAssertFalse(
                result.stdout.contains("ExecStartPre") || result.stderr.contains("\nExecStartPre"),
                "the raw line break must not be printed")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path), [], "nothing written")
    }

    func testManifestDirWithASpaceAndSpecifierStaysOnePathForSystemd() throws {
        let root = try TestSupport.makeTemporaryDirectory(self)
        let path = try config(
            root, replacing: "  manifestDir: /etc/kubernetes/manifests",
            with: "  manifestDir: \"/etc/kube manifests%n\"")
        let result = try TestSupport.agent(["render", "--config", path, "--node", "master01", "--root", root.path])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let unit = try String(contentsOfFile: root.path + "/etc/systemd/system/kubelet.service", encoding: .utf8)
        XCTAssertTrue(unit.contains("\n  \"--config=/etc/kube manifests%%n\" \\\n"), unit)
        XCTAssertEqual(
            unit.components(separatedBy: "\n").filter { $0.contains("=") && !$0.hasPrefix(" ") }.map {
                String($0.prefix { $0 != "=" })
            },
            ["Description", "Documentation", "Requires", "After", "ExecStart", "Restart", "RestartSec", "WantedBy"])
        let manifests = try FileManager.default.contentsOfDirectory(atPath: root.path + "/etc/kube manifests%n")
            .sorted()
        XCTAssertEqual(
            manifests,
            ["kube-apiserver.yaml", "kube-controller-manager.yaml", "kube-proxy.yaml", "kube-scheduler.yaml"])
    }

    func testBadUnitNamesAndExecutablePathsAreReportedTogether() throws {
        let root = try TestSupport.makeTemporaryDirectory(self)
        let path = try config(
            root, replacing: "  binary: /usr/local/bin/kubelet",
            with:
                "  binary: \"/opt/kube\\\"let\"\n  unitAfter: [getty@.service]\n  unitPath: /etc/systemd/system/kubelet"
        )
        let result = try TestSupport.agent(["config", "validate", "--config", path])
        XCTAssertEqual(result.status, ExitStatus.invalidConfig.rawValue, result.stdout + result.stderr)
        XCTAssertTrue(result.stderr.contains("(3 problems)"), result.stderr)
        for words in [
            "  kubelet.binary: \"/opt/kube\\\"let\" contains a quote or a backslash",
            "  kubelet.unitPath: \"/etc/systemd/system/kubelet\" must end in a unit file name",
            "  kubelet.unitAfter[0]: \"getty@.service\" is not a systemd unit name: it is a template",
        ] {
            XCTAssertTrue(result.stderr.contains(words), "\(words) missing from:\n\(result.stderr)")
        }
    }
}
