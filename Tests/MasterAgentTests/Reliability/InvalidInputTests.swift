import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// Broken configs through the real binary: each is rejected naming the field, and nothing is written.
final class InvalidInputTests: XCTestCase {
    private func seed() throws -> String { try TestSupport.fixtureText("seed-cluster.yaml") }

    /// (description, transformation of the seed, text expected in the error)
    private func cases() throws -> [(String, String, String)] {
        let s = try seed()
        func edit(_ old: String, _ new: String) -> String {
            precondition(s.contains(old), old)
            return s.replacingOccurrences(of: old, with: new)
        }
        return [
            ("YAML syntax error", edit("masters:", "masters: [\n"), "is not valid YAML"),
            ("tab indentation", edit("  serviceCIDR:", "\tserviceCIDR:"), "is not valid YAML"),
            ("wrong type: list for string", edit("  version: v1.2.2", "  version: [1]"), "kubernetes.version"),
            (
                "wrong type: mapping for list",
                edit("  admissionControl:\n", "  admissionControl: {a: 1}\n  unused:\n"), "apiServer.admissionControl"
            ),
            (
                "wrong type: string for number", edit("  validityDays: 365", "  validityDays: a year"),
                "pki.validityDays"
            ),
            (
                "typo in top-level key", edit("loadBalancer:", "loadBalancr:"),
                "loadBalancr: unknown field (did you mean \"loadBalancer\"?)"
            ),
            ("typo in nested key", edit("  dnsServiceIP:", "  dnsServiceIp:"), "cluster.dnsServiceIp: unknown field"),
            (
                "typo in master key", edit("    dnsName: master02.example.com", "    dnsname: master02.example.com"),
                "masters[1].dnsname: unknown field"
            ),
            ("bad IP octet", edit("address: 192.168.1.2", "address: 192.168.1.256"), "masters[1].address"),
            ("IP with too few parts", edit("address: 192.168.3.1", "address: 192.168.3"), "loadBalancer.address"),
            ("hostname as IP", edit("  dnsServiceIP: 10.3.0.2", "  dnsServiceIP: dns.local"), "cluster.dnsServiceIP"),
            ("CIDR without prefix", edit("serviceCIDR: 10.3.0.0/24", "serviceCIDR: 10.3.0.0"), "cluster.serviceCIDR"),
            ("CIDR host bits", edit("serviceCIDR: 10.3.0.0/24", "serviceCIDR: 10.3.0.1/24"), "host bits set"),
            ("CIDR prefix 33", edit("serviceCIDR: 10.3.0.0/24", "serviceCIDR: 10.3.0.0/33"), "cluster.serviceCIDR"),
            (
                "DNS IP outside range", edit("  dnsServiceIP: 10.3.0.2", "  dnsServiceIP: 10.3.1.2"),
                "outside cluster.serviceCIDR"
            ),
            (
                "DNS IP is kubernetes.default", edit("  dnsServiceIP: 10.3.0.2", "  dnsServiceIP: 10.3.0.1"),
                "kubernetes.default"
            ),
            ("duplicate master name", edit("  - name: master02", "  - name: master01"), "duplicate master name"),
            ("duplicate master address", edit("address: 192.168.1.2", "address: 192.168.1.1"), "duplicate address"),
            (
                "duplicate master DNS name", edit("dnsName: master02.example.com", "dnsName: master01.example.com"),
                "duplicate DNS name"
            ),
            ("no masters", edit("masters:", "masters: []\nunusedMasters:"), "masters"),
            (
                "relative etcd cert path",
                edit("certFile: /etc/ssl/etcd/etcd-client.crt", "certFile: ssl/etcd-client.crt"), "etcd.certFile"
            ),
            ("relative pki dir", edit("  dir: /etc/kubernetes/ssl", "  dir: kubernetes/ssl"), "pki.dir"),
            (
                "path with ..", edit("  binary: /usr/local/bin/kubelet", "  binary: /usr/local/../bin/kubelet"),
                "kubelet.binary"
            ),
            (
                "etcd endpoint without port", edit("https://192.168.0.3:2379", "https://192.168.0.3"),
                "etcd.endpoints[2]"
            ),
            (
                "etcd endpoint wrong scheme", edit("https://192.168.0.3:2379", "tcp://192.168.0.3:2379"),
                "etcd.endpoints[2]"
            ),
            (
                "bad duration", edit("housekeepingInterval: 60s", "housekeepingInterval: sixty"),
                "kubelet.housekeepingInterval"
            ),
            ("unknown profile", edit("profile: legacy-hyperkube", "profile: kubeadm"), "kubernetes.profile"),
            (
                "empty image", edit("  image: quay.io/coreos/hyperkube:v1.2.2_coreos.0", "  image: ''"),
                "kubernetes.image"
            ),
            ("missing required field", edit("  domain: cluster.local\n", ""), "cluster.domain: is required"),
            (
                "wrong apiVersion", edit("apiVersion: master-agent/v1alpha1", "apiVersion: master-agent/v2"),
                "apiVersion"
            ),
            ("unknown key type", edit("keyType: rsa-2048", "keyType: rsa-1024"), "pki.keyType"),
            ("port out of range", edit("securePort: 443", "securePort: 0"), "apiServer.securePort"),
            ("empty file", "", "empty"),
            ("garbage bytes", "\u{1}\u{2}\u{3}garbage: [", "is not valid YAML"),
            ("a list, not a mapping", "- a\n- b\n", "must be a mapping"),
        ]
    }

    func testEachBrokenConfigIsRejectedNamingTheFieldAndNothingIsWritten() throws {
        let work = try TestSupport.makeTemporaryDirectory(self, name: "invalid")
        let all = try cases()
        XCTAssertGreaterThanOrEqual(all.count, 30)
        for (index, (name, text, expected)) in all.enumerated() {
            let config = work.path + "/case-\(index).yaml"
            try text.write(toFile: config, atomically: true, encoding: .utf8)
            let root = work.path + "/root-\(index)"
            let result = try TestSupport.agent(["render", "--config", config, "--node", "master01", "--root", root])
            XCTAssertEqual(result.status, ExitStatus.invalidConfig.rawValue, name)
            XCTAssertTrue(result.stderr.contains(expected), "\(name): expected \(expected) in\n\(result.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: root), "\(name): something was written")
        }
    }

    func testHugeAndUnreadableFilesAreRejected() throws {
        let work = try TestSupport.makeTemporaryDirectory(self, name: "huge")
        let huge = work.path + "/huge.yaml"
        try Data(repeating: 0x61, count: 10 * 1024 * 1024).write(to: URL(fileURLWithPath: huge))
        let result = try TestSupport.agent([
            "render", "--config", huge, "--node", "master01", "--root", work.path + "/r",
        ])
        XCTAssertEqual(result.status, ExitStatus.invalidConfig.rawValue)
        XCTAssertTrue(result.stderr.contains("larger than the 1 MiB"), result.stderr)

        let directory = try TestSupport.agent([
            "render", "--config", work.path, "--node", "master01", "--root", work.path + "/r",
        ])
        XCTAssertEqual(directory.status, ExitStatus.invalidConfig.rawValue)
        XCTAssertTrue(directory.stderr.contains("could not read config"), directory.stderr)

        let binary = work.path + "/binary.yaml"
        try Data([0xff, 0xfe, 0x00, 0x41]).write(to: URL(fileURLWithPath: binary))
        let notText = try TestSupport.agent([
            "render", "--config", binary, "--node", "master01", "--root", work.path + "/r",
        ])
        XCTAssertEqual(notText.status, ExitStatus.invalidConfig.rawValue)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.path + "/r"))
    }

    func testSecondRunWaitsForTheFirstAndThenSucceeds() throws {
        let root = try TestSupport.makeTemporaryDirectory(self, name: "serialize")
        let lock = try FileLock.acquire(path: root.path + "/run/master-agent.lock", timeout: 1, onWait: {})
        // The second run in the background, its stderr in a file this test can read while it runs.
        let arguments = [
            "render", "--config", TestSupport.fixture("seed-cluster.yaml").path, "--node", "master01", "--root",
            root.path,
        ]
        try AgentNetworkGuard.check(arguments)
        let stderrPath = try TestSupport.makeTemporaryDirectory(self, name: "serialize-out").path + "/stderr"
        XCTAssertTrue(FileManager.default.createFile(atPath: stderrPath, contents: nil))
        let stderrFile = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        defer { try? stderrFile.close() }
        let agent = Process()
        agent.executableURL = TestSupport.binary
        agent.arguments = arguments
        agent.standardInput = FileHandle.nullDevice
        agent.standardOutput = FileHandle.nullDevice
        agent.standardError = stderrFile
        addTeardownBlock { if agent.isRunning { kill(agent.processIdentifier, SIGKILL) } }
        let stderr = { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }
        let started = Date()
        try agent.run()
        // Released once the second run says it waits and has kept waiting (retrying every 50 ms) for 0.4 s
        // since it started: it must not finish while the lock is held.
        waitUntil(timeout: 30, "the second run says it waits for the lock:\n\(stderr())") {
            stderr().contains("another master-agent run holds the lock; waiting") || !agent.isRunning
        }
        assertHolds(
            for: max(0, 0.4 - Date().timeIntervalSince(started)),
            "the second run finished while the lock was held:\n\(stderr())"
        ) {
            agent.isRunning
        }
        lock.release()
        waitUntil(timeout: 60, "the second run finishes once the lock is free:\n\(stderr())") { !agent.isRunning }
        if agent.isRunning { kill(agent.processIdentifier, SIGKILL) }
        agent.waitUntilExit()
        let result = (status: agent.terminationStatus, stderr: stderr())
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("another master-agent run holds the lock; waiting"), result.stderr)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.35)
    }
}
