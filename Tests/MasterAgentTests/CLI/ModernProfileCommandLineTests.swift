import Foundation
import XCTest

@testable import AgentCore
@testable import AgentRuntime

/// The built binary with a modern config: it validates, its example prints, `render` writes the modern tree
/// (modes, converged rerun, dry-run diff), and a node set up with one profile refuses the other until `reset`.
final class ModernProfileCommandLineTests: XCTestCase {
    private var seedPath: String { TestSupport.fixture("seed-cluster.yaml").path }
    private var modernPath: String { TestSupport.fixture("modern-cluster.yaml").path }

    func testModernExampleValidates() throws {
        let result = try TestSupport.agent(["config", "validate", "--config", modernPath])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("valid"), result.stdout)
    }

    func testPrintExampleForModernIsTheSharedExampleAndValidates() throws {
        let printed = try TestSupport.agent(["config", "print-example", "--profile", "modern"])
        XCTAssertEqual(printed.status, 0, printed.stderr)
        // The shared example when this checkout sits beside ../shared, the committed copy otherwise.
        let shared = TestSupport.repoRoot.deletingLastPathComponent().appendingPathComponent(
            "shared/examples/modern-cluster.yaml")
        let committed = try TestSupport.fixtureText("modern-cluster.yaml")
        let expected = (try? String(contentsOf: shared, encoding: .utf8)) ?? committed
        XCTAssertEqual(printed.stdout, expected)
        XCTAssertEqual(
            printed.stdout, try TestSupport.fixtureText("modern-cluster.yaml"), "the committed copy is current")
        let root = try TestSupport.makeTemporaryDirectory(self)
        let path = root.appendingPathComponent("modern.yaml")
        try printed.stdout.write(to: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try TestSupport.agent(["config", "validate", "--config", path.path]).status, 0)
    }

    func testPrintExampleDefaultStaysLegacy() throws {
        let printed = try TestSupport.agent(["config", "print-example"])
        XCTAssertEqual(printed.stdout, ExampleConfig.yaml + "\n")
        let legacy = try TestSupport.agent(["config", "print-example", "--profile", "legacy-hyperkube"])
        XCTAssertEqual(legacy.stdout, printed.stdout)
        let unknown = try TestSupport.agent(["config", "print-example", "--profile", "modren"])
        XCTAssertEqual(unknown.status, ExitStatus.usage.rawValue)
        XCTAssertTrue(unknown.stderr.contains("unknown profile \"modren\""), unknown.stderr)
    }

    /// Mode bits and owner of every regular file and directory under `root` (the lock excluded), by node path.
    private func tree(_ root: URL) throws -> [String: String] {
        var result: [String: String] = [:]
        for path in try FileManager.default.subpathsOfDirectory(atPath: root.path) where !path.hasSuffix(".lock") {
            var info = stat()
            XCTAssertEqual(lstat(root.appendingPathComponent(path).path, &info), 0, path)
            let kind = (info.st_mode & S_IFMT) == S_IFDIR ? "d" : "f"
            result["/" + path] = String(format: "%@ %04o %d", kind, info.st_mode & 0o7777, info.st_uid)
        }
        return result
    }

    func testRenderWritesTheModernTreeWithItsModesAndARerunWritesNothing() throws {
        let root = try TestSupport.makeTemporaryDirectory(self)
        let arguments = ["render", "--config", modernPath, "--node", "master02", "--root", root.path]
        let first = try TestSupport.agent(arguments)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("master02: 10 created"), first.stdout)
        let written = try tree(root)
        let uid = geteuid()
        for path in [
            "/etc/systemd/system/kubelet.service", "/etc/kubernetes/manifests/kube-apiserver.yaml",
            "/etc/kubernetes/manifests/kube-controller-manager.yaml", "/etc/kubernetes/manifests/kube-proxy.yaml",
            "/etc/kubernetes/manifests/kube-scheduler.yaml", "/etc/kubernetes/audit-policy.yaml",
            "/etc/kubernetes/authentication-config.yaml", "/etc/kubernetes/admission-config.yaml",
            "/var/lib/kubelet/config.yaml",
        ] {
            XCTAssertEqual(written[path], "f 0600 \(uid)", path)
        }
        XCTAssertEqual(written["/var/log/kubernetes/audit"], "d 0700 \(uid)")
        XCTAssertEqual(written["/etc/kubernetes/manifests"], "d 0700 \(uid)")
        // What the certs step writes is not the render's: no PKI, kubeconfig or encryption config here.
        XCTAssertNil(written["/etc/kubernetes/encryption-config.yaml"])
        XCTAssertFalse(written.keys.contains { $0.hasSuffix(".conf") || $0.hasPrefix("/etc/kubernetes/pki") })
        let apiServer = try String(
            contentsOf: root.appendingPathComponent("etc/kubernetes/manifests/kube-apiserver.yaml"), encoding: .utf8)
        XCTAssertTrue(apiServer.contains("- --advertise-address=192.168.1.2\n"), apiServer)

        var before = [String: Double]()
        for path in written.keys {
            before[path] = try FileManager.default.attributesOfItem(
                atPath: root.appendingPathComponent(String(path.dropFirst())).path)[.modificationDate]
                .flatMap { ($0 as? Date)?.timeIntervalSince1970 }
        }
        let rerun = try TestSupport.agent(arguments)
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertTrue(rerun.stdout.contains("master02: 10 unchanged"), rerun.stdout)
        XCTAssertEqual(try tree(root), written, "a converged rerun creates, removes and re-modes nothing")
        for path in written.keys {
            let after = try FileManager.default.attributesOfItem(
                atPath: root.appendingPathComponent(String(path.dropFirst())).path)[.modificationDate]
                .flatMap { ($0 as? Date)?.timeIntervalSince1970 }
            XCTAssertEqual(after, before[path], "\(path) was rewritten")
        }
    }

    func testDryRunShowsTheModernDiffAndWritesNothing() throws {
        let root = try TestSupport.makeTemporaryDirectory(self)
        let node = ["--config", modernPath, "--node", "master01", "--root", root.path]
        let dry = try TestSupport.agent(["render", "--dry-run"] + node)
        XCTAssertEqual(dry.status, 0, dry.stderr)
        XCTAssertTrue(dry.stdout.contains("created   /var/log/kubernetes/audit (directory, mode 0700)"), dry.stdout)
        XCTAssertTrue(dry.stdout.contains("+apiVersion: kubelet.config.k8s.io/v1beta1"), dry.stdout)
        XCTAssertEqual(try tree(root).keys.filter { !$0.hasPrefix("/run") }, [], "a dry run writes nothing")

        XCTAssertEqual(try TestSupport.agent(["render"] + node).status, 0)
        let policy = root.appendingPathComponent("etc/kubernetes/audit-policy.yaml")
        try "edited\n".write(to: policy, atomically: true, encoding: .utf8)
        let diff = try TestSupport.agent(["render", "--dry-run"] + node)
        XCTAssertTrue(diff.stdout.contains("updated   /etc/kubernetes/audit-policy.yaml"), diff.stdout)
        XCTAssertTrue(diff.stdout.contains("-edited"), diff.stdout)
        XCTAssertTrue(diff.stdout.contains("+kind: Policy"), diff.stdout)
        XCTAssertEqual(try String(contentsOf: policy, encoding: .utf8), "edited\n")
    }

    func testBootstrapManifestsStepWritesTheModernFiles() throws {
        let root = try TestSupport.makeTemporaryDirectory(self)
        let result = try TestSupport.agent([
            "bootstrap", "--steps", "manifests", "--config", modernPath, "--node", "master01", "--root", root.path,
        ])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        for path in ["etc/kubernetes/manifests/kube-proxy.yaml", "etc/kubernetes/admission-config.yaml"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path), path)
        }
        XCTAssertEqual(
            try String(contentsOf: root.appendingPathComponent("var/lib/master-agent/profile"), encoding: .utf8),
            "modern\n")
    }

    func testSwitchingProfilesIsRefusedUntilReset() throws {
        let root = try TestSupport.makeTemporaryDirectory(self)
        let node = ["--node", "master01", "--root", root.path]
        let legacy = try TestSupport.agent(["render", "--config", seedPath] + node)
        XCTAssertEqual(legacy.status, 0, legacy.stderr)
        let record = root.appendingPathComponent("var/lib/master-agent/profile")
        XCTAssertEqual(try String(contentsOf: record, encoding: .utf8), "legacy-hyperkube\n")

        let refused = try TestSupport.agent(["render", "--config", modernPath] + node)
        XCTAssertEqual(refused.status, ExitStatus.invalidConfig.rawValue, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("set up this node with the modern profile"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("it was set up with the legacy-hyperkube profile"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("Run `master-agent reset`"), refused.stderr)
        let bootstrap = try TestSupport.agent(["bootstrap", "--config", modernPath, "--steps", "manifests"] + node)
        XCTAssertEqual(bootstrap.status, ExitStatus.invalidConfig.rawValue, bootstrap.stderr)
        XCTAssertTrue(bootstrap.stderr.contains("master-agent reset"), bootstrap.stderr)

        let rerun = try TestSupport.agent(["render", "--config", seedPath] + node)
        XCTAssertEqual(rerun.status, 0, "the same profile renders again: " + rerun.stderr)
        XCTAssertTrue(rerun.stdout.contains("5 unchanged"), rerun.stdout)

        let reset = try TestSupport.agent(["reset", "--yes", "--config", seedPath] + node)
        XCTAssertEqual(reset.status, 0, reset.stderr)
        XCTAssertTrue(reset.stdout.contains("removed   /var/lib/master-agent/profile"), reset.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: record.path))

        // After the reset the node holds no profile: the modern render goes ahead, and then legacy is refused.
        let afterReset = try TestSupport.agent(["render", "--config", modernPath] + node)
        XCTAssertEqual(afterReset.status, 0, afterReset.stderr)
        XCTAssertEqual(try String(contentsOf: record, encoding: .utf8), "modern\n")
        let legacyRefused = try TestSupport.agent(["render", "--config", seedPath] + node)
        XCTAssertEqual(legacyRefused.status, ExitStatus.invalidConfig.rawValue, legacyRefused.stderr)
        XCTAssertTrue(legacyRefused.stderr.contains("master-agent reset"), legacyRefused.stderr)

        // Reset with the modern config removes the modern files, the config files included.
        let modernReset = try TestSupport.agent(["reset", "--yes", "--config", modernPath] + node)
        XCTAssertEqual(modernReset.status, 0, modernReset.stderr)
        XCTAssertTrue(modernReset.stdout.contains("removed   /etc/kubernetes/audit-policy.yaml"), modernReset.stdout)
        XCTAssertTrue(modernReset.stdout.contains("removed   /var/lib/kubelet/config.yaml"), modernReset.stdout)
    }

    func testLegacyManifestsWithoutARecordCountAsLegacy() throws {
        // A node rendered by a version that kept no record: its hyperkube manifests say which profile it has.
        let root = try TestSupport.makeTemporaryDirectory(self)
        let node = ["--node", "master01", "--root", root.path]
        XCTAssertEqual(try TestSupport.agent(["render", "--config", seedPath] + node).status, 0)
        try FileManager.default.removeItem(at: root.appendingPathComponent("var/lib/master-agent/profile"))
        let refused = try TestSupport.agent(["render", "--config", modernPath] + node)
        XCTAssertEqual(refused.status, ExitStatus.invalidConfig.rawValue, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("kube-apiserver.yaml runs hyperkube"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("master-agent reset"), refused.stderr)
    }

    func testDryRunRecordsNoProfile() throws {
        let root = try TestSupport.makeTemporaryDirectory(self)
        let result = try TestSupport.agent([
            "render", "--dry-run", "--config", seedPath, "--node", "master01", "--root", root.path,
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: root.appendingPathComponent("var/lib/master-agent/profile").path))
    }
}
