import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// Runs the built binary, as an operator would.
final class RenderCommandTests: XCTestCase {
    private var seedPath: String { TestSupport.fixture("seed-cluster.yaml").path }
    private let outputs = [
        "etc/systemd/system/kubelet.service", "etc/kubernetes/manifests/kube-apiserver.yaml",
        "etc/kubernetes/manifests/kube-controller-manager.yaml", "etc/kubernetes/manifests/kube-proxy.yaml",
        "etc/kubernetes/manifests/kube-scheduler.yaml",
    ]

    private func mtimes(_ root: URL) throws -> [Date] {
        try outputs.map {
            try FileManager.default.attributesOfItem(atPath: root.appendingPathComponent($0).path)[.modificationDate]
                as! Date
        }
    }

    func testRenderWritesFiveFilesThenRerunChangesNothing() throws {
        let root = try TestSupport.makeTemporaryDirectory(self)
        let first = try TestSupport.agent(["render", "--config", seedPath, "--node", "master01", "--root", root.path])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(
            first.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("created") }.count, 5, first.stdout)
        for output in outputs {
            XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent(output).path), output)
        }
        let apiServer = try String(contentsOf: root.appendingPathComponent(outputs[1]), encoding: .utf8)
        XCTAssertEqual(
            try RenderingGoldenTests.canonical(apiServer),
            try RenderingGoldenTests.canonical(
                TestSupport.fixtureText("golden/legacy-hyperkube-master01/kube-apiserver.yaml")))
        let before = try mtimes(root)
        Thread.sleep(forTimeInterval: 0.05)
        let second = try TestSupport.agent(["render", "--config", seedPath, "--node", "master01", "--root", root.path])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(
            second.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("unchanged") }.count, 5, second.stdout)
        XCTAssertEqual(try mtimes(root), before)
    }

    func testDryRunAfterAConfigEditShowsExactlyThatChange() throws {
        let root = try TestSupport.makeTemporaryDirectory(self)
        XCTAssertEqual(
            try TestSupport.agent(["render", "--config", seedPath, "--node", "master01", "--root", root.path]).status, 0
        )
        let edited = root.appendingPathComponent("edited.yaml")
        try TestSupport.fixtureText("seed-cluster.yaml").replacingOccurrences(
            of: "housekeepingInterval: 60s", with: "housekeepingInterval: 30s"
        )
        .write(to: edited, atomically: true, encoding: .utf8)
        let before = try mtimes(root)
        let dry = try TestSupport.agent([
            "render", "--config", edited.path, "--node", "master01", "--root", root.path, "--dry-run",
        ])
        XCTAssertEqual(dry.status, 0, dry.stderr)
        let changed = dry.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("-") || $0.hasPrefix("+") }
        XCTAssertEqual(
            changed,
            [
                "--- a/etc/systemd/system/kubelet.service", "+++ b/etc/systemd/system/kubelet.service",
                "-  --housekeeping-interval=60s", "+  --housekeeping-interval=30s",
            ])
        XCTAssertTrue(dry.stdout.contains("updated   /etc/systemd/system/kubelet.service"))
        XCTAssertEqual(try mtimes(root), before)
    }

    func testInvalidConfigReportsEveryProblemAndWritesNothing() throws {
        let root = try TestSupport.makeTemporaryDirectory(self)
        let broken = root.appendingPathComponent("broken.yaml")
        var text = try TestSupport.fixtureText("seed-cluster.yaml")
        for (old, new) in [
            ("address: 192.168.1.2", "address: 192.168.1.300"), ("dnsServiceIP: 10.3.0.2", "dnsServiceIP: 10.4.0.2"),
            ("keyFile: /etc/ssl/etcd/etcd-client.key", "keyFile: etcd-client.key"),
            ("profile: legacy-hyperkube", "profile: hyperkube"),
            ("  validityDays: 365", "  validityDay: 365"),
        ] {
            text = text.replacingOccurrences(of: old, with: new)
        }
        try text.write(to: broken, atomically: true, encoding: .utf8)
        let result = try TestSupport.agent([
            "render", "--config", broken.path, "--node", "master01", "--root", root.path,
        ])
        XCTAssertEqual(result.status, ExitStatus.invalidConfig.rawValue)
        for path in [
            "masters[1].address", "cluster.dnsServiceIP", "etcd.keyFile", "kubernetes.profile", "pki.validityDay",
        ] {
            XCTAssertTrue(result.stderr.contains("  \(path): "), "\(path) missing from:\n\(result.stderr)")
        }
        XCTAssertTrue(result.stderr.contains("5 problems"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path), ["broken.yaml"])
    }

    func testDuplicateLegacyNamedManifestIsRemoved() throws {
        let root = try TestSupport.makeTemporaryDirectory(self)
        let manifests = root.appendingPathComponent("etc/kubernetes/manifests")
        try FileManager.default.createDirectory(at: manifests, withIntermediateDirectories: true)
        try TestSupport.fixtureText("golden/legacy-hyperkube-master01/kube-apiserver.yaml")
            .write(to: manifests.appendingPathComponent("kube-apiserver"), atomically: true, encoding: .utf8)
        try "half".write(
            to: manifests.appendingPathComponent(".master-agent.kube-proxy.yaml.1.2.tmp"), atomically: true,
            encoding: .utf8)
        let result = try TestSupport.agent(["render", "--config", seedPath, "--node", "master01", "--root", root.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(
            result.stdout.contains(
                "removed   /etc/kubernetes/manifests/kube-apiserver (defines pod kube-system/kube-apiserver like kube-apiserver.yaml"
            ), result.stdout)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: manifests.path).sorted(),
            ["kube-apiserver.yaml", "kube-controller-manager.yaml", "kube-proxy.yaml", "kube-scheduler.yaml"])
    }

    func testSecondRunWaitsForTheLockAndTimesOutClearly() throws {
        let root = try TestSupport.makeTemporaryDirectory(self)
        let lock = try FileLock.acquire(path: root.path + "/run/master-agent.lock", timeout: 1, onWait: {})
        let result = try TestSupport.agent([
            "render", "--config", seedPath, "--node", "master01", "--root", root.path, "--lock-timeout", "0.3",
        ])
        XCTAssertEqual(result.status, ExitStatus.lockTimeout.rawValue)
        XCTAssertTrue(result.stderr.contains("waiting"), result.stderr)
        XCTAssertTrue(result.stderr.contains("could not lock \(root.path)/run/master-agent.lock"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.path + "/etc"))
        lock.release()
    }

    func testJSONOutputListsFiles() throws {
        let root = try TestSupport.makeTemporaryDirectory(self)
        let result = try TestSupport.agent([
            "render", "--config", seedPath, "--node", "master02", "--root", root.path, "--output", "json",
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(object["node"] as? String, "master02")
        XCTAssertEqual((object["files"] as? [[String: Any]])?.count, 5)
    }
}
