import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// The guard that keeps tests on the loopback must itself catch what it is there for.
final class AgentNetworkGuardTests: XCTestCase {
    private var seed: String { TestSupport.fixture("seed-cluster.yaml").path }

    func testPreflightAgainstTheDocumentsEtcdIsStopped() {
        // The seed config keeps the document's etcd at 192.168.0.1-3: preflight would GET them.
        XCTAssertThrowsError(
            try AgentNetworkGuard.check([
                "bootstrap", "--config", seed, "--node", "master01",
                "--root", "/nonexistent", "--until", "manifests",
            ])
        ) { error in
            XCTAssertTrue("\(error)".contains("192.168.0.1 (etcd.endpoints)"), "\(error)")
        }
        XCTAssertThrowsError(
            try AgentNetworkGuard.check(["certs", "check", "--config", seed, "--node", "master01", "--peers"]))
        XCTAssertThrowsError(try AgentNetworkGuard.check(["wait-api", "--url", "https://192.168.0.10:6443"]))
        XCTAssertThrowsError(
            try AgentNetworkGuard.check(["status", "--node", "master01"]), "would read the host's config")
        // The modern fixture's localURL defaults to https://127.0.0.1:6443, so point it elsewhere to see the guard act.
        let modern = try? TestSupport.fixtureText("modern-cluster.yaml")
            .replacingOccurrences(of: "\napiServer:\n", with: "\napiServer:\n  localURL: https://192.168.1.1:6443\n")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("guard-\(UUID().uuidString).yaml")
        XCTAssertNoThrow(try modern?.write(to: path, atomically: true, encoding: .utf8))
        defer { try? FileManager.default.removeItem(at: path) }
        for command in [
            ["supervise"], ["bootstrap", "--steps", "cluster-tasks"],
            ["certs", "renew", "--due", "--coordinate", "--root", "/nonexistent"],
            ["bootstrap", "--steps", "certs", "--coordinate", "--root", "/nonexistent"],
        ] {
            XCTAssertThrowsError(
                try AgentNetworkGuard.check(command + ["--config", path.path, "--node", "master01"])
            ) { error in
                XCTAssertTrue("\(error)".contains("192.168.1.1 (apiServer.localURL)"), "\(error)")
            }
        }
        // A local renewal under --root contacts nothing, wherever localURL points.
        XCTAssertNoThrow(
            try AgentNetworkGuard.check([
                "certs", "renew", "--due", "--config", path.path, "--node", "master01", "--root", "/nonexistent",
            ]))
        XCTAssertNoThrow(
            try AgentNetworkGuard.check([
                "bootstrap", "--steps", "certs", "--config", path.path, "--node", "master01", "--root", "/nonexistent",
            ]))
    }

    func testCommandsAndStepsWithoutNetworkPass() throws {
        try AgentNetworkGuard.check(["render", "--config", seed, "--node", "master01", "--root", "/nonexistent"])
        try AgentNetworkGuard.check(["config", "validate", "--config", seed])
        try AgentNetworkGuard.check([
            "bootstrap", "--config", seed, "--node", "master01", "--steps", "kubelet-unit,manifests",
        ])
        try AgentNetworkGuard.check(["bootstrap", "--config", seed, "--node", "master01", "--until", "validate"])
        try AgentNetworkGuard.check(["certs", "check", "--config", seed, "--node", "master01"])
        try AgentNetworkGuard.check(["wait-api", "--url", "http://127.0.0.1:1"])
        // No config is read for these, so not even the host's /etc/master-agent/cluster.yaml matters.
        try AgentNetworkGuard.check(["certs", "sign", "--csr", "x.csr", "--ca-cert", "ca.crt", "--ca-key", "ca.key"])
        try AgentNetworkGuard.check(["bootstrap", "--steps", "certs", "--help"])
        // The seed's API URL is already on the loopback.
        try AgentNetworkGuard.check([
            "bootstrap", "--config", seed, "--node", "master01", "--steps", "wait-api,election,namespace",
        ])
    }

    func testSecretsStoreInEtcdCountsAsContactingEtcd() throws {
        let directory = try TestSupport.makeTemporaryDirectory(self, name: "guard-secrets")
        let config = directory.appendingPathComponent("cluster.yaml").path
        try (TestSupport.fixtureText("seed-cluster.yaml") + "\nsecrets:\n  store: etcd\n").write(
            toFile: config, atomically: true, encoding: .utf8)
        for arguments in [
            ["bootstrap", "--config", config, "--node", "master01", "--steps", "cluster-secrets"],
            ["secrets", "status", "--config", config, "--node", "master01"],
        ] {
            XCTAssertThrowsError(try AgentNetworkGuard.check(arguments), "\(arguments)") {
                XCTAssertTrue("\($0)".contains("192.168.0.1 (etcd.endpoints)"), "\($0)")
            }
        }
        // Under the seed's `store: none` neither contacts etcd.
        try AgentNetworkGuard.check(["bootstrap", "--config", seed, "--node", "master01", "--steps", "cluster-secrets"])
        try AgentNetworkGuard.check(["secrets", "status", "--config", seed, "--node", "master01"])
    }
}
