import Foundation
import XCTest

@testable import AgentCore
@testable import AgentRuntime

/// The built binary with a modern config: it validates, its example prints, rendering says plainly that it
/// is not implemented yet, and a node set up with one profile refuses the other until `reset`.
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

    func testRenderAndBootstrapWithModernSayNotImplementedAndWriteNothing() throws {
        let root = try TestSupport.makeTemporaryDirectory(self)
        for arguments in [["render"], ["bootstrap", "--steps", "kubelet-unit,manifests"]] {
            let result = try TestSupport.agent(
                arguments + ["--config", modernPath, "--node", "master01", "--root", root.path])
            XCTAssertEqual(
                result.status, ExitStatus.notImplemented.rawValue, "\(arguments): " + result.stdout + result.stderr)
            XCTAssertTrue(
                result.stderr.contains("could not render the modern profile: rendering it is not implemented yet"),
                result.stderr)
            XCTAssertFalse(result.stdout.contains("created"), result.stdout)
        }
        let written = try FileManager.default.subpathsOfDirectory(atPath: root.path)
            .filter { path in
                var isDirectory: ObjCBool = false
                FileManager.default.fileExists(
                    atPath: root.appendingPathComponent(path).path, isDirectory: &isDirectory)
                return !isDirectory.boolValue && !path.hasSuffix(".lock")
            }
        XCTAssertFalse(written.contains { $0.hasPrefix("etc/") || $0.hasSuffix("master-agent/profile") }, "\(written)")
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

        // Modern rendering is not implemented yet: after the reset the refusal is gone and that is what remains.
        let afterReset = try TestSupport.agent(["render", "--config", modernPath] + node)
        XCTAssertEqual(afterReset.status, ExitStatus.notImplemented.rawValue, afterReset.stderr)
        XCTAssertFalse(afterReset.stderr.contains("master-agent reset"), afterReset.stderr)
        XCTAssertTrue(afterReset.stderr.contains("not implemented yet"), afterReset.stderr)
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
