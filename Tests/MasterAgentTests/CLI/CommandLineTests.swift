import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

final class CommandLineTests: XCTestCase {
    private var seedPath: String { TestSupport.fixture("seed-cluster.yaml").path }

    func testVersion() throws {
        let result = try TestSupport.agent(["--version"])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines), MasterAgentVersion.current)
    }

    func testConfigValidateSaysValidOrListsProblems() throws {
        let ok = try TestSupport.agent(["config", "validate", "--config", seedPath])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.hasSuffix(": valid\n"), ok.stdout)
        let root = try TestSupport.makeTemporaryDirectory(self)
        let bad = root.appendingPathComponent("bad.yaml")
        try "apiVersion: master-agent/v1alpha1\nkind: ClusterConfig\nmasterz: []\n".write(
            to: bad, atomically: true, encoding: .utf8)
        let failed = try TestSupport.agent(["config", "validate", "--config", bad.path])
        XCTAssertEqual(failed.status, ExitStatus.invalidConfig.rawValue)
        XCTAssertTrue(
            failed.stderr.contains("masterz: unknown field (did you mean \"masters\"?) (line 3)"), failed.stderr)
        XCTAssertTrue(failed.stderr.contains("masters: is required"), failed.stderr)
        let json = try TestSupport.agent(["config", "validate", "--config", bad.path, "--output", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(object["valid"] as? Bool, false)
    }

    func testPrintExampleValidates() throws {
        let root = try TestSupport.makeTemporaryDirectory(self)
        let example = try TestSupport.agent(["config", "print-example"])
        let path = root.appendingPathComponent("example.yaml")
        try example.stdout.write(to: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try TestSupport.agent(["config", "validate", "--config", path.path]).status, 0)
    }

    func testMissingConfigIsAnInvalidConfigurationError() throws {
        let root = try TestSupport.makeTemporaryDirectory(self)
        let result = try TestSupport.agent(["render", "--root", root.path, "--node", "master01"])
        XCTAssertEqual(result.status, ExitStatus.invalidConfig.rawValue)
        XCTAssertTrue(
            result.stderr.contains(
                "could not read config \(root.path)/etc/master-agent/cluster.yaml: it does not exist"), result.stderr)
    }

    func testUnknownNodeListsCandidates() throws {
        let result = try TestSupport.agent([
            "render", "--config", seedPath, "--node", "master09", "--root", "/nonexistent",
        ])
        XCTAssertEqual(result.status, ExitStatus.invalidConfig.rawValue)
        XCTAssertTrue(result.stderr.contains("master01 (master01.example.com, 192.168.1.1)"), result.stderr)
    }

    func testBootstrapUnderRootEnablesOfflineAndStartsNothing() throws {
        let root = try TestSupport.makeTemporaryDirectory(self)
        let result = try TestSupport.agent([
            "bootstrap", "--config", seedPath, "--node", "master01", "--root", root.path,
            "--steps", "kubelet-unit,manifests,kubelet-start",
        ])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(
            result.stdout.contains("kubelet-unit  changed         kubelet.service enabled offline"), result.stdout)
        XCTAssertTrue(result.stdout.contains("manifests     changed"), result.stdout)
        XCTAssertTrue(result.stdout.contains("kubelet-start skipped"), result.stdout)
        XCTAssertFalse(result.stdout.contains("certs"), result.stdout)
        XCTAssertEqual(
            try FileManager.default.destinationOfSymbolicLink(
                atPath: root.path + "/etc/systemd/system/multi-user.target.wants/kubelet.service"),
            "/etc/systemd/system/kubelet.service")
    }

    func testBootstrapRejectsUnknownStep() throws {
        let result = try TestSupport.agent([
            "bootstrap", "--config", seedPath, "--node", "master01", "--root", "/nonexistent", "--steps", "manifest",
        ])
        XCTAssertEqual(result.status, ExitStatus.usage.rawValue)
        XCTAssertTrue(result.stderr.contains("unknown step \"manifest\""), result.stderr)
    }

    func testResetAsksFirstThenRemovesUnitAndManifestsButKeepsTLSMaterial() throws {
        let root = try TestSupport.makeTemporaryDirectory(self)
        let common = ["--config", seedPath, "--node", "master01", "--root", root.path]
        XCTAssertEqual(try TestSupport.agent(["bootstrap", "--steps", "kubelet-unit,manifests"] + common).status, 0)
        try FileManager.default.createDirectory(
            atPath: root.path + "/etc/kubernetes/ssl", withIntermediateDirectories: true)
        try "key".write(toFile: root.path + "/etc/kubernetes/ssl/apiserver.key", atomically: true, encoding: .utf8)
        let manifest = root.path + "/etc/kubernetes/manifests/kube-apiserver.yaml"

        let declined = try TestSupport.agent(["reset"] + common, input: "no\n")
        XCTAssertEqual(declined.status, 1)
        XCTAssertTrue(declined.stdout.contains("Type yes to continue"), declined.stdout)
        XCTAssertTrue(declined.stderr.contains("reset cancelled; nothing was changed"), declined.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: manifest))

        let confirmed = try TestSupport.agent(["reset"] + common, input: "yes\n")
        XCTAssertEqual(confirmed.status, 0, confirmed.stdout + confirmed.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: manifest))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.path + "/etc/systemd/system/kubelet.service"))
        XCTAssertNil(
            try? FileManager.default.destinationOfSymbolicLink(
                atPath: root.path + "/etc/systemd/system/multi-user.target.wants/kubelet.service"))
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: root.path + "/etc/kubernetes/ssl/apiserver.key"),
            "TLS material is kept without --purge-pki")

        XCTAssertEqual(try TestSupport.agent(["reset", "--yes", "--purge-pki"] + common).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.path + "/etc/kubernetes/ssl/apiserver.key"))
    }

    func testResetRemovesExactlyTheInstallSymlinksTheOfflineEnableMade() throws {
        // A unit outside /etc/systemd/system: like `systemctl enable`, its [Install] links still go to
        // /etc/systemd/system/<target>.wants, and reset removes exactly those.
        let root = try TestSupport.makeTemporaryDirectory(self)
        let config = root.path + "-cluster.yaml"
        let unitPath = "/usr/local/lib/systemd/system/kubelet.service"
        let text = try String(contentsOfFile: seedPath, encoding: .utf8)
            .replacingOccurrences(of: "kubelet:\n", with: "kubelet:\n  unitPath: \(unitPath)\n")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: config) }
        let common = ["--config", config, "--node", "master01", "--root", root.path]
        let bootstrap = try TestSupport.agent(["bootstrap", "--steps", "kubelet-unit"] + common)
        XCTAssertEqual(bootstrap.status, 0, bootstrap.stdout + bootstrap.stderr)
        let symlinks = { () -> [String] in
            let walker = FileManager.default.enumerator(atPath: root.path)
            return (walker?.allObjects as? [String] ?? []).filter {
                (try? FileManager.default.destinationOfSymbolicLink(atPath: root.path + "/" + $0)) == unitPath
            }
        }
        XCTAssertEqual(symlinks(), ["etc/systemd/system/multi-user.target.wants/kubelet.service"])

        let reset = try TestSupport.agent(["reset", "--yes"] + common)
        XCTAssertEqual(reset.status, 0, reset.stdout + reset.stderr)
        XCTAssertEqual(symlinks(), [], reset.stdout)
        XCTAssertTrue(
            reset.stdout.contains("/etc/systemd/system/multi-user.target.wants/kubelet.service"), reset.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.path + unitPath))

        // A second reset finds nothing left: it succeeds and claims no removal.
        let again = try TestSupport.agent(["reset", "--yes"] + common)
        XCTAssertEqual(again.status, 0, again.stdout + again.stderr)
        XCTAssertFalse(again.stdout.contains("removed"), again.stdout)
        XCTAssertTrue(again.stdout.contains("reset done"), again.stdout)
    }
}
