import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime

/// The modern profile's `certs sign`, `certs import`, `certs check` and `bootstrap --until certs` as processes.
final class ModernCertsCommandTests: XCTestCase {
    private typealias Support = ModernCertsTestSupport
    private let pkiDir = "/etc/kubernetes/pki"
    private var configPath: String!
    private var config: ClusterConfig!

    override func setUpWithError() throws {
        let dir = try TestSupport.makeTemporaryDirectory(self, name: "modern-config")
        configPath = dir.path + "/cluster.yaml"
        // ECDSA for speed; etcd on loopback so that nothing could reach the example's 192.168 addresses.
        let text = try TestSupport.fixtureText("modern-cluster.yaml")
            .replacingOccurrences(of: "keyType: rsa-2048", with: "keyType: ecdsa-p256")
            .replacingOccurrences(of: "https://192.168.0.", with: "https://127.0.0.")
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        config = try ConfigLoader.load(yaml: text, file: configPath)
    }

    private func agent(_ arguments: [String]) throws -> TestSupport.ProcessResult {
        try TestSupport.agent(arguments + ["--config", configPath])
    }

    private func copy(_ files: [String], from source: URL, to target: URL, flat: Bool = false) throws {
        for file in files {
            let destination =
                flat ? target.path + "/" + (file as NSString).lastPathComponent : Support.host(target, file)
            try FileManager.default.createDirectory(
                atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: Support.host(source, file), toPath: destination)
        }
    }

    func testOfflineCARoundTripThroughSignAndImport() throws {
        // The CA host holds master01's whole tree; master02 gets the shared files without ca.key.
        let caHost = try TestSupport.makeTemporaryDirectory(self, name: "ca-host")
        try Support.run(config, node: "master01", root: caHost)
        let master02 = try TestSupport.makeTemporaryDirectory(self, name: "master02")
        try copy(
            ["ca.crt", "front-proxy-ca.crt", "front-proxy-ca.key", "sa.key", "sa.pub"].map { "\(pkiDir)/\($0)" }
                + ["/etc/kubernetes/encryption-config.yaml"], from: caHost, to: master02)
        var pending: ModernCertificatesPending?
        XCTAssertThrowsError(try Support.run(config, node: "master02", root: master02)) {
            pending = $0 as? ModernCertificatesPending
        }
        let requests = try XCTUnwrap(pending?.requests)
        XCTAssertEqual(requests.count, 8)

        // A request for another entry is refused by the CA host: it signs only what the config derives.
        let forged = try TestSupport.makeTemporaryDirectory(self, name: "forged")
        try FileManager.default.copyItem(
            atPath: Support.host(master02, "/etc/kubernetes/admin.conf.csr"),
            toPath: forged.path + "/super-admin.conf.csr")
        let refused = try agent([
            "certs", "sign", "--node", "master02", "--csr-dir", forged.path, "--root", caHost.path,
        ])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("not CN=kubernetes-super-admin,O=system:masters"), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: forged.path + "/super-admin.conf.crt"))

        // Sign on the CA host, import on master02, rerun the step: converged.
        let csrDir = try TestSupport.makeTemporaryDirectory(self, name: "master02-csr")
        try copy(requests, from: master02, to: csrDir, flat: true)
        let signed = try agent(["certs", "sign", "--node", "master02", "--csr-dir", csrDir.path, "--root", caHost.path])
        XCTAssertEqual(signed.status, 0, signed.stderr)
        for request in requests {
            let name = ((request as NSString).lastPathComponent as NSString).deletingPathExtension
            try Support.assertVerifies(
                csrDir.path + "/\(name).crt", ca: Support.host(caHost, "\(pkiDir)/ca.crt"),
                purpose: name == "apiserver" ? "sslserver" : "sslclient")
        }
        let imported = try agent([
            "certs", "import", "--node", "master02", "--dir", csrDir.path, "--root", master02.path,
        ])
        XCTAssertEqual(imported.status, 0, imported.stderr)
        for request in requests {
            XCTAssertFalse(FileManager.default.fileExists(atPath: Support.host(master02, request)))
        }
        let outcome = try Support.run(config, node: "master02", root: master02)
        XCTAssertEqual(outcome.files, [], "everything was in place after the import")

        let check = try agent(["certs", "check", "--node", "master02", "--root", master02.path, "--output", "json"])
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(json["healthy"] as? Bool, true)
        let files = (json["rows"] as! [[String: Any]]).map { $0["file"] as! String }
        XCTAssertTrue(files.contains("/etc/kubernetes/kubelet.conf"), "\(files)")
        XCTAssertTrue(files.contains("\(pkiDir)/apiserver.crt"), "\(files)")
        XCTAssertTrue(files.contains("/etc/kubernetes/encryption-config.yaml"), "\(files)")
        let kubelet = Support.host(master02, "/etc/kubernetes/kubelet.conf")
        let credentials = try Kubeconfig.decode(try String(contentsOfFile: kubelet, encoding: .utf8), file: kubelet)
            .currentCredentials(file: kubelet)
        XCTAssertEqual(credentials.server, "https://192.168.1.2:6443")
    }

    func testCheckNamesAWrongCertificateAndItsFix() throws {
        let root = try TestSupport.makeTemporaryDirectory(self, name: "check")
        try Support.run(config, node: "master01", root: root)
        let healthy = try agent(["certs", "check", "--node", "master01", "--root", root.path])
        XCTAssertEqual(healthy.status, 0, healthy.stdout + healthy.stderr)
        XCTAssertTrue(healthy.stdout.contains("/etc/kubernetes/super-admin.conf"), healthy.stdout)
        XCTAssertFalse(healthy.stdout.contains("PRIVATE KEY"), healthy.stdout)

        let apiserver = Support.host(root, "\(pkiDir)/apiserver.crt")
        try FileManager.default.removeItem(atPath: apiserver)
        try FileManager.default.copyItem(
            atPath: Support.host(root, "\(pkiDir)/apiserver-kubelet-client.crt"), toPath: apiserver)
        let broken = try agent(["certs", "check", "--node", "master01", "--root", root.path, "--output", "json"])
        XCTAssertEqual(broken.status, 1)
        let json = try JSONSerialization.jsonObject(with: Data(broken.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(json["healthy"] as? Bool, false)
        let codes = Set(
            (json["findings"] as! [[String: Any]]).filter { $0["file"] as? String == "\(pkiDir)/apiserver.crt" }
                .map { $0["code"] as! String })
        // A client certificate also fails the chain check as a TLS server.
        XCTAssertEqual(codes, ["subjectMismatch", "usageMismatch", "missingSAN", "keyMismatch", "chainInvalid"])
    }

    func testRenewReissuesOnlyTheAPIServerCertificate() throws {
        let root = try TestSupport.makeTemporaryDirectory(self, name: "renew")
        try Support.run(config, node: "master01", root: root)
        let before = try Support.snapshot(root)
        let renewed = try agent(["certs", "renew", "--node", "master01", "--root", root.path])
        XCTAssertEqual(renewed.status, 0, renewed.stdout + renewed.stderr)
        let after = try Support.snapshot(root)
        let changed = Set(after.keys.filter { after[$0]?.data != before[$0]?.data }).subtracting([
            "/run/master-agent.lock"
        ])
        XCTAssertEqual(changed, ["\(pkiDir)/apiserver.crt"])
        try Support.assertVerifies(
            Support.host(root, "\(pkiDir)/apiserver.crt"), ca: Support.host(root, "\(pkiDir)/ca.crt"),
            purpose: "sslserver")
    }

    func testBootstrapUntilCertsAsAProcess() throws {
        let root = try TestSupport.makeTemporaryDirectory(self, name: "bootstrap")
        // What preflight reads: the etcd client files and an executable kubelet.
        for file in [
            "\(pkiDir)/etcd/ca.crt", "\(pkiDir)/apiserver-etcd-client.crt", "\(pkiDir)/apiserver-etcd-client.key",
        ] {
            try FileManager.default.createDirectory(
                atPath: (Support.host(root, file) as NSString).deletingLastPathComponent,
                withIntermediateDirectories: true)
            try Data("x".utf8).write(to: URL(fileURLWithPath: Support.host(root, file)))
        }
        try FileManager.default.createDirectory(atPath: root.path + "/usr/bin", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(
            atPath: root.path + "/usr/bin/kubelet", contents: Data(), attributes: [.posixPermissions: 0o755])
        let arguments = ["bootstrap", "--node", "master01", "--root", root.path, "--until", "certs", "--offline"]
        let first = try agent(arguments)
        XCTAssertEqual(first.status, 0, first.stdout + first.stderr)
        XCTAssertTrue(first.stdout.contains("certs"), first.stdout)
        try Support.assertVerifies(
            Support.host(root, "\(pkiDir)/apiserver.crt"), ca: Support.host(root, "\(pkiDir)/ca.crt"),
            purpose: "sslserver")
        let again = try agent(arguments + ["--output", "json"])
        XCTAssertEqual(again.status, 0, again.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(json["filesChanged"] as? Int, 0)
        XCTAssertFalse((first.stdout + first.stderr + again.stdout + again.stderr).contains("PRIVATE KEY"))
    }
}
