import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime

/// Masters for the secrets tests: each a `--root` with the seed config pointed at a real etcd (`secrets.store:
/// etcd`), the etcd client files, the join token (0600) and, for a CA host, the CA under `/etc/ca/`.
final class SecretsTestCluster {
    let server: EtcdTestServer
    let test: XCTestCase
    let caDirectory: URL
    /// The join token's text, as `token generate` prints it.
    let token: String
    static let recordKey = "/master-agent/kubernetes/secrets"
    static let sharedFiles = ["ca.crt", "apiserver.key", "apiserver.crt"]

    init(_ test: XCTestCase, server: EtcdTestServer) throws {
        self.test = test
        self.server = server
        caDirectory = try TestSupport.makeTemporaryDirectory(test, name: "secrets-ca")
        try TestCA.make(in: caDirectory, subject: "/CN=secrets-test-cluster-ca", days: 30, keyType: .ecP256)
        token = try JoinToken(secret: SecureRandom.bytes(32)).text
    }

    /// One master's root and config.
    struct Master {
        let root: URL
        let node: String
        /// `pki.dir` without its leading slash: the seed config's, or the modern one's `etc/kubernetes/pki`.
        var pkiPath = "etc/kubernetes/ssl"
        var configPath: String { root.appendingPathComponent("cluster.yaml").path }
        var pkiDir: URL { root.appendingPathComponent(pkiPath) }
        /// The host path of the node path `path` (`/etc/kubernetes/encryption-config.yaml`).
        func host(_ path: String) -> URL { root.appendingPathComponent(String(path.dropFirst())) }
        func file(_ name: String) -> URL { pkiDir.appendingPathComponent(name) }
        /// `--config`, `--node` and `--root` for a command.
        var arguments: [String] { ["--config", configPath, "--node", node, "--root", root.path] }
    }

    /// A master `node` with its own root; `withCA` gives it `pki.caCert`/`pki.caKey`; `token` overrides the join token.
    func master(
        _ node: String = "master01", withCA: Bool = true, token: String? = nil, endpoints: [String]? = nil,
        waitTimeout: String = "30s"
    ) throws -> Master {
        let root = try TestSupport.makeTemporaryDirectory(test, name: "secrets-\(node)")
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("run"), withIntermediateDirectories: true)
        var text = try TestSupport.fixtureText("seed-cluster.yaml")
        let etcdStart = try XCTUnwrap(text.range(of: "etcd:\n  endpoints:"))
        let etcdEnd = try XCTUnwrap(text.range(of: "apiServer:\n"))
        text.replaceSubrange(
            etcdStart.lowerBound..<etcdEnd.lowerBound,
            with: try server.etcdSection(root: root, endpoints: endpoints) + "\n")
        if withCA {
            let ca = root.appendingPathComponent("etc/ca")
            try FileManager.default.createDirectory(at: ca, withIntermediateDirectories: true)
            for name in ["ca.crt", "ca.key"] {
                try FileManager.default.copyItem(
                    at: caDirectory.appendingPathComponent(name), to: ca.appendingPathComponent(name))
            }
            text = text.replacingOccurrences(
                of: "  validityDays: 365\n",
                with: "  validityDays: 365\n  caCert: /etc/ca/ca.crt\n  caKey: /etc/ca/ca.key\n")
        }
        text += "\nsecrets:\n  store: etcd\n  waitTimeout: \(waitTimeout)\n"
        try text.write(to: root.appendingPathComponent("cluster.yaml"), atomically: true, encoding: .utf8)
        try writeToken(token ?? self.token, root: root)
        return Master(root: root, node: node)
    }

    /// A modern-profile master `node` (the modern example config with ECDSA keys, etcd pointed at the test server)
    /// with its own root; `caCertOnly` gives it the test CA's certificate as `pki.caCert`, its key kept offline.
    func modernMaster(_ node: String, caCertOnly: Bool = false) throws -> Master {
        let root = try TestSupport.makeTemporaryDirectory(test, name: "secrets-modern-\(node)")
        var text = try TestSupport.fixtureText("modern-cluster.yaml")
            .replacingOccurrences(of: "keyType: rsa-2048", with: "keyType: ecdsa-p256")
        let etcdStart = try XCTUnwrap(text.range(of: "etcd:"))
        let etcdEnd = try XCTUnwrap(text.range(of: "apiServer:\n"))
        text.replaceSubrange(etcdStart.lowerBound..<etcdEnd.lowerBound, with: try server.etcdSection(root: root) + "\n")
        if caCertOnly {
            let ca = root.appendingPathComponent("etc/ca")
            try FileManager.default.createDirectory(at: ca, withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                at: caDirectory.appendingPathComponent("ca.crt"), to: ca.appendingPathComponent("ca.crt"))
            text = text.replacingOccurrences(
                of: "  caValidityDays: 3650\n", with: "  caValidityDays: 3650\n  caCert: /etc/ca/ca.crt\n")
        }
        text += "\nsecrets:\n  store: etcd\n  waitTimeout: 30s\n"
        try text.write(to: root.appendingPathComponent("cluster.yaml"), atomically: true, encoding: .utf8)
        try writeToken(token, root: root)
        return Master(root: root, node: node, pkiPath: "etc/kubernetes/pki")
    }

    /// Writes `text` as the join token file of `root`, mode 0600.
    func writeToken(_ text: String, root: URL, mode: Int = 0o600) throws {
        let path = root.appendingPathComponent("etc/master-agent/join-token")
        try FileManager.default.createDirectory(
            at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: path)
        try (text + "\n").write(to: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path.path)
    }

    /// Runs `master-agent ARGUMENTS` for `master`.
    @discardableResult
    func agent(_ master: Master, _ arguments: [String], timeout: TimeInterval = 90) throws -> TestSupport.ProcessResult
    {
        try TestSupport.agent(arguments + master.arguments, timeout: timeout)
    }

    /// `bootstrap --steps cluster-secrets` (plus `extra`) for `master`.
    @discardableResult
    func bootstrap(_ master: Master, _ extra: [String] = []) throws -> TestSupport.ProcessResult {
        try agent(master, ["bootstrap", "--steps", "cluster-secrets"] + extra)
    }

    /// The shared files of `master` by name (absent ones left out).
    func sharedFiles(of master: Master) -> [String: Data] {
        var files: [String: Data] = [:]
        for name in Self.sharedFiles { files[name] = FileManager.default.contents(atPath: master.file(name).path) }
        return files
    }

    /// The record's pair in etcd.
    func stored() throws -> EtcdKeyValue? {
        try EtcdClient(transport: try server.httpClient(), endpoints: [server.endpoint]).get(Self.recordKey)
    }

    /// Overwrites the record (as someone with write access to etcd could): POST /v3/kv/put.
    func put(_ value: Data, key: String = SecretsTestCluster.recordKey) throws {
        struct Put: Encodable {
            let key: String
            let value: String
        }
        let request = try HTTPRequest.json(
            .post, url: "\(server.endpoint)/v3/kv/put",
            body: Put(key: Data(key.utf8).base64EncodedString(), value: value.base64EncodedString()))
        let response = try server.httpClient().send(request)
        XCTAssertEqual(response.status, 200, response.bodyText)
    }

    /// Starts one agent process per argument list, all before waiting for any, and returns what each printed.
    func runConcurrently(_ argumentLists: [[String]]) throws -> [TestSupport.ProcessResult] {
        let directory = try TestSupport.makeTemporaryDirectory(test, name: "concurrent")
        var processes: [(Process, URL, URL)] = []
        for (index, arguments) in argumentLists.enumerated() {
            try AgentNetworkGuard.check(arguments)
            let out = directory.appendingPathComponent("\(index).out"),
                err = directory.appendingPathComponent("\(index).err")
            _ = FileManager.default.createFile(atPath: out.path, contents: nil)
            _ = FileManager.default.createFile(atPath: err.path, contents: nil)
            let process = Process()
            process.executableURL = TestSupport.binary
            process.arguments = arguments
            process.standardOutput = try FileHandle(forWritingTo: out)
            process.standardError = try FileHandle(forWritingTo: err)
            process.standardInput = FileHandle.nullDevice
            processes.append((process, out, err))
        }
        for (process, _, _) in processes { try process.run() }
        return try processes.map { process, out, err in
            process.waitUntilExit()
            return TestSupport.ProcessResult(
                status: process.terminationStatus, stdout: try String(contentsOf: out, encoding: .utf8),
                stderr: try String(contentsOf: err, encoding: .utf8))
        }
    }
}
