import Foundation
import XCTest

@testable import AgentCore

/// Under the modern profile `wait-api` (and every command that talks to the local API server) authenticates with the
/// client certificate and CA embedded in /etc/kubernetes/super-admin.conf, which the certs step made: here against an
/// HTTPS API double serving this master's apiserver.crt and requiring a client certificate of the cluster CA.
final class ModernAPICredentialsTests: XCTestCase {
    private var double: CurlDoubleProcess?

    override func tearDown() {
        double?.stop()
        double = nil
        super.tearDown()
    }

    /// A modern master01 tree under `root` (ECDSA, etcd on a refused loopback port), its PKI made by the certs step.
    private func masterWithCertificates() throws -> URL {
        let root = try TestSupport.makeTemporaryDirectory(self, name: "modern-api")
        try writeConfig(root, localURL: "https://127.0.0.1:6443")
        for file in ["etcd/ca.crt", "apiserver-etcd-client.crt", "apiserver-etcd-client.key"] {
            try write("placeholder\n", root.appendingPathComponent("etc/kubernetes/pki/\(file)"), mode: 0o600)
        }
        try write("#!/bin/sh\n", root.appendingPathComponent("usr/bin/kubelet"), mode: 0o755)
        let certs = try TestSupport.agent(["bootstrap", "--node", "master01", "--root", root.path, "--until", "certs"])
        XCTAssertEqual(certs.status, 0, certs.stdout + certs.stderr)
        return root
    }

    private func writeConfig(_ root: URL, localURL: String, extra: String = "") throws {
        var text = try TestSupport.fixtureText("modern-cluster.yaml")
        text = text.replacing(
            "    - https://192.168.0.1:2379\n    - https://192.168.0.2:2379\n    - https://192.168.0.3:2379\n",
            with: "    - https://127.0.0.1:9\n"
        )
        .replacing("keyType: rsa-2048", with: "keyType: ecdsa-p256")
        .replacing(
            "  # localURL: https://127.0.0.1:6443 (modern default; the agent authenticates with super-admin.conf)",
            with: "  localURL: \(localURL)\n\(extra)")
        XCTAssertTrue(text.contains("localURL: \(localURL)"), "the modern example changed shape")
        try write(text, root.appendingPathComponent("etc/master-agent/cluster.yaml"), mode: 0o644)
    }

    private func write(_ text: String, _ url: URL, mode: Int) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
    }

    /// The double as this master's API server: its serving certificate and key, client certificates of the cluster CA.
    private func startAPIServer(_ root: URL) throws -> CurlDoubleProcess {
        let pki = root.appendingPathComponent("etc/kubernetes/pki")
        let server = try CurlDoubleProcess([
            "--tls-cert", pki.appendingPathComponent("apiserver.crt").path,
            "--tls-key", pki.appendingPathComponent("apiserver.key").path,
            "--client-ca", pki.appendingPathComponent("ca.crt").path,
        ])
        double = server
        return server
    }

    func testWaitAPIAuthenticatesWithSuperAdminConf() throws {
        let root = try masterWithCertificates()
        let server = try startAPIServer(root)
        try writeConfig(root, localURL: server.baseURL)
        let wait = try TestSupport.agent(
            ["wait-api", "--node", "master01", "--root", root.path, "--timeout", "10s", "--output", "json"])
        XCTAssertEqual(wait.status, 0, wait.stdout + wait.stderr)
        let report = try JSONSerialization.jsonObject(with: Data(wait.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(report?["ready"] as? Bool, true, wait.stdout)
    }

    // Without super-admin.conf the server refuses the handshake: the agent says which file it needed and how to get it.
    func testMissingSuperAdminConfIsNamedWithTheStepThatMakesIt() throws {
        let root = try masterWithCertificates()
        let server = try startAPIServer(root)
        try writeConfig(root, localURL: server.baseURL)
        try FileManager.default.removeItem(at: root.appendingPathComponent("etc/kubernetes/super-admin.conf"))
        let wait = try TestSupport.agent(["wait-api", "--node", "master01", "--root", root.path, "--timeout", "5s"])
        XCTAssertEqual(wait.status, 1, wait.stdout + wait.stderr)
        XCTAssertTrue(wait.stderr.contains("/etc/kubernetes/super-admin.conf does not exist"), wait.stderr)
        XCTAssertTrue(wait.stderr.contains("master-agent bootstrap --until certs"), wait.stderr)
    }

    // Credentials named in the config win over super-admin.conf: here a CA that did not sign the server, so the
    // handshake fails (status 1, a TLS error), which proves the kubeconfig's CA was not used.
    func testConfiguredCredentialsReplaceTheKubeconfig() throws {
        let root = try masterWithCertificates()
        let server = try startAPIServer(root)
        let other = try TestCA.make(
            in: try TestSupport.makeTemporaryDirectory(self, name: "other-ca"), subject: "/CN=other", days: 2,
            keyType: .ecP256)
        let copied = root.appendingPathComponent("etc/other-ca.crt")
        try FileManager.default.copyItem(atPath: other.cert, toPath: copied.path)
        try writeConfig(root, localURL: server.baseURL, extra: "  caFile: /etc/other-ca.crt\n")
        let wait = try TestSupport.agent(["wait-api", "--node", "master01", "--root", root.path, "--timeout", "5s"])
        XCTAssertEqual(wait.status, 1, wait.stdout + wait.stderr)
        XCTAssertTrue(
            wait.stderr.contains("certificate verify result: self-signed certificate in certificate chain"), wait.stderr
        )
    }

    // `status` compares every rendered file (the configuration files too), checks the whole PKI tree, and asks the
    // API with super-admin.conf. Under --root there is no systemd to ask about the unit: that part is a problem.
    func testStatusCoversTheModernTreeAndTheAPI() throws {
        let root = try masterWithCertificates()
        let server = try startAPIServer(root)
        try writeConfig(root, localURL: server.baseURL)
        let manifests = try TestSupport.agent(
            ["bootstrap", "--node", "master01", "--root", root.path, "--steps", "certs,kubelet-unit,manifests"])
        XCTAssertEqual(manifests.status, 0, manifests.stdout + manifests.stderr)

        let status = try TestSupport.agent(["status", "--node", "master01", "--root", root.path, "--output", "json"])
        let report = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any], status.stderr)
        let files = try XCTUnwrap(report["files"] as? [[String: String]])
        XCTAssertEqual(Set(files.map { $0["state"] }), ["in sync"], "\(files)")
        XCTAssertTrue(files.contains { $0["path"] == "/etc/kubernetes/audit-policy.yaml" }, "\(files)")
        XCTAssertTrue(files.contains { $0["path"] == "/var/lib/kubelet/config.yaml" }, "\(files)")
        XCTAssertEqual(report["apiHealthy"] as? Bool, true, status.stdout)
        XCTAssertEqual((report["certificateProblems"] as? [String])?.count, 0, status.stdout)
        // One look at each component where the manifests say; only the API server (the double) is known to answer
        // here, the others' ports are whatever this machine has on them.
        let components = try XCTUnwrap(report["components"] as? [[String: Any]], status.stdout)
        XCTAssertEqual(
            Set(components.compactMap { $0["component"] as? String }),
            ["kubelet", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kube-proxy"])
        XCTAssertEqual(
            components.first { $0["component"] as? String == "kube-apiserver" }?["healthy"] as? Bool, true,
            "\(components)")
        let problems = try XCTUnwrap(report["problems"] as? [String])
        XCTAssertTrue(problems.contains { $0.contains("is not a running system") }, "\(problems)")
        XCTAssertFalse(problems.contains { $0.hasPrefix("kube-apiserver") }, "\(problems)")
        XCTAssertEqual(status.status, 1)
    }
}
