import Foundation
import XCTest

@testable import AgentCore

/// The rendered tree against the automated kube-bench cis-1.12 checks on files and flags
/// (`Tests/Support/cis_check.py`, a copy of shared/tools/cis_check.py): a fresh `bootstrap --until manifests --root DIR`
/// of the modern example passes all 41; the legacy profile keeps its result (26, the same failures as before).
final class CISBenchmarkTests: XCTestCase {
    private static let checker = TestSupport.repoRoot.appendingPathComponent("Tests/Support/cis_check.py")

    /// The checks the legacy profile fails today: flags a v1.2 API server, controller-manager and scheduler
    /// do not have, or that the reference document does not set. Any change to this list changes legacy output.
    private static let legacyFailures: Set<String> = [
        "1.2.4", "1.2.5", "1.2.6", "1.2.7", "1.2.8", "1.2.14", "1.2.15", "1.2.16", "1.2.17", "1.2.18", "1.2.19",
        "1.2.30", "1.3.2", "1.3.3", "1.4.1",
    ]

    func testModernExampleMasterPassesAllFortyOneChecks() throws {
        let root = try TestSupport.makeTemporaryDirectory(self, name: "cis-modern")
        try prepareModernRoot(root, keyType: "ecdsa-p256")
        let bootstrap = try TestSupport.agent(
            ["bootstrap", "--node", "master01", "--root", root.path, "--until", "manifests"])
        XCTAssertEqual(bootstrap.status, 0, bootstrap.stdout + bootstrap.stderr)

        let result = try check(root, pki: "/etc/kubernetes/pki")
        XCTAssertEqual(result.failed, [], result.output)
        XCTAssertEqual(result.summary, "41/41 CIS checks pass", result.output)
    }

    func testLegacySeedMasterKeepsItsResult() throws {
        let root = try TestSupport.makeTemporaryDirectory(self, name: "cis-legacy")
        let ca = try prepareLegacyRoot(root)
        let bootstrap = try TestSupport.agent([
            "bootstrap", "--node", "master01", "--root", root.path, "--until", "manifests",
            "--ca-cert", ca.certificate, "--ca-key", ca.key,
        ])
        XCTAssertEqual(bootstrap.status, 0, bootstrap.stdout + bootstrap.stderr)

        let result = try check(root, pki: "/etc/kubernetes/ssl")
        XCTAssertEqual(result.failed, Self.legacyFailures, result.output)
        XCTAssertEqual(result.summary, "26/41 CIS checks pass", result.output)
    }

    // MARK: - trees

    /// The example config with etcd on a refused loopback port (preflight only health-checks it: a warning),
    /// placeholder etcd client files where the example names them, and a stand-in kubelet.
    private func prepareModernRoot(_ root: URL, keyType: String) throws {
        var text = try TestSupport.fixtureText("modern-cluster.yaml")
        let etcd = "    - https://192.168.0.1:2379\n    - https://192.168.0.2:2379\n    - https://192.168.0.3:2379\n"
        XCTAssertTrue(text.contains(etcd), "the modern example changed shape")
        text = text.replacing(etcd, with: "    - https://127.0.0.1:9\n")
            .replacing("keyType: rsa-2048", with: "keyType: \(keyType)")
        for file in ["etcd/ca.crt", "apiserver-etcd-client.crt", "apiserver-etcd-client.key"] {
            try write("placeholder\n", to: root.appendingPathComponent("etc/kubernetes/pki/\(file)"), mode: 0o600)
        }
        try write("#!/bin/sh\n", to: root.appendingPathComponent("usr/bin/kubelet"), mode: 0o755)
        try write(text, to: root.appendingPathComponent("etc/master-agent/cluster.yaml"), mode: 0o644)
    }

    /// The seed config the same way, and a CA given on the command line as the document's operator does.
    private func prepareLegacyRoot(_ root: URL) throws -> (certificate: String, key: String) {
        var text = try TestSupport.fixtureText("seed-cluster.yaml")
        let etcd = "    - https://192.168.0.1:2379\n    - https://192.168.0.2:2379\n    - https://192.168.0.3:2379\n"
        XCTAssertTrue(text.contains(etcd), "the seed fixture changed shape")
        text = text.replacing(etcd, with: "    - https://127.0.0.1:9\n")
        for file in ["ca.crt", "etcd-client.crt", "etcd-client.key"] {
            try write("placeholder\n", to: root.appendingPathComponent("etc/ssl/etcd/\(file)"), mode: 0o600)
        }
        try write("#!/bin/sh\n", to: root.appendingPathComponent("usr/local/bin/kubelet"), mode: 0o755)
        try write(text, to: root.appendingPathComponent("etc/master-agent/cluster.yaml"), mode: 0o644)
        let ca = try TestCA.make(
            in: try TestSupport.makeTemporaryDirectory(self, name: "cis-ca"), subject: "/CN=cis-test-ca", days: 2,
            keyType: .ecP256)
        return (ca.cert, ca.key)
    }

    private func write(_ text: String, to url: URL, mode: Int) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
    }

    // MARK: - the checker

    private struct CheckResult {
        let summary: String
        let failed: Set<String>
        let output: String
    }

    /// Runs the checker. As root, directly. As a normal user, in a user namespace that maps this user to root
    /// (`unshare -r`), so the owner checks see the files this user's agent wrote as root-owned: the modes, flags and
    /// paths are checked exactly; only the owner checks need root (and run so under CI=true and as root).
    private func check(_ root: URL, pki: String) throws -> CheckResult {
        var command = ["python3", Self.checker.path, root.path, "--pki", pki, "-v"]
        if geteuid() != 0 {
            let probe = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/unshare"), ["-r", "true"])
            guard probe.status == 0 else {
                throw XCTSkip("owner checks need root or `unshare -r` (user namespaces): \(probe.stderr)")
            }
            command = ["-r"] + command
        }
        let result = try TestSupport.run(
            URL(fileURLWithPath: geteuid() == 0 ? "/usr/bin/env" : "/usr/bin/unshare"), command)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let failed = lines.filter { $0.hasPrefix("FAIL ") }.map { String($0.split(separator: " ")[1]) }
        return CheckResult(
            summary: lines.last ?? "", failed: Set(failed), output: result.stdout + result.stderr)
    }
}
