import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// Two real `master-agent supervise` processes against the API double over HTTPS with RBAC-like authorization:
/// one leads and approves, the other waits; the leader is SIGKILLed and the other takes over. A 3 s lease
/// (renew 1 s) keeps the test short.
final class SupervisorProcessTests: XCTestCase {
    private static let leaseSeconds = 3.0
    private let csrs = "/apis/certificates.k8s.io/v1/certificatesigningrequests"
    private let leasePath = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/master-agent-supervise"

    private struct Agent {
        let node: String
        let process: Process
        let stderr: URL
        var log: String { (try? String(contentsOf: stderr, encoding: .utf8)) ?? "" }
    }

    func testOneApprovesTheOtherTakesOverAfterSIGKILLAndForgeriesStayPending() throws {
        let certs = try CurlTestCertificates()
        defer { certs.remove() }
        let double = try CurlDoubleProcess([
            "--tls-cert", certs.cert("server"), "--tls-key", certs.key("server"), "--require-auth", "--authorize",
            "--token", "super,kubernetes-super-admin,u0,system:masters",
            "--token", "node1,system:node:worker-1,u1,system:nodes",
        ])
        defer { double.stop() }
        let base = try TestSupport.makeTemporaryDirectory(self, name: "supervise")
        let config = try writeConfig(in: base, apiURL: double.baseURL, caFile: certs.cert("ca"))

        let first = try launch("master01", config: config, root: base)
        defer { stop(first, signal: SIGKILL) }
        try waitFor("master01 to hold the Lease", timeout: 10) { try self.holder(double) == "master01" }
        let second = try launch("master02", config: config, root: base)
        defer { stop(second, signal: SIGKILL) }

        let node =
            [
                "apiVersion": "v1", "kind": "Node", "metadata": ["name": "worker-1"],
                "status": [
                    "addresses": [
                        ["type": "InternalIP", "address": "10.0.0.11"], ["type": "Hostname", "address": "worker-1"],
                    ]
                ],
            ] as [String: Any]
        XCTAssertEqual(try api(double, .post, "/api/v1/nodes", token: "node1", body: node).status, 201)

        let good = try TestSigningRequests.make(
            subject: "/O=system:nodes/CN=system:node:worker-1", sans: "DNS:worker-1,IP:10.0.0.11")
        let serving = ["digital signature", "server auth"]
        let forgeries: [(name: String, token: String, pem: Data, signer: String, usages: [String])] = [
            ("forged-signer", "node1", good, "kubernetes.io/kube-apiserver-client-kubelet", serving),
            (
                "forged-cn", "node1",
                try TestSigningRequests.make(subject: "/O=system:nodes/CN=system:node:worker-2", sans: "DNS:worker-1"),
                KubeletServingCSRPolicy.signerName, serving
            ),
            (
                "forged-san", "node1",
                try TestSigningRequests.make(
                    subject: "/O=system:nodes/CN=system:node:worker-1", sans: "DNS:worker-1,DNS:kubernetes.default"),
                KubeletServingCSRPolicy.signerName, serving
            ),
            ("forged-clientauth", "node1", good, KubeletServingCSRPolicy.signerName, serving + ["client auth"]),
            ("forged-notnode", "super", good, KubeletServingCSRPolicy.signerName, serving),
            (
                "forged-ecdsa-ke", "node1", good, KubeletServingCSRPolicy.signerName,
                ["digital signature", "key encipherment", "server auth"]
            ),
        ]
        for forged in forgeries {
            let created = try createCSR(
                double, forged.name, token: forged.token, pem: forged.pem, signer: forged.signer, usages: forged.usages)
            XCTAssertEqual(created, 201, forged.name)
        }
        let createdAt = Date()
        XCTAssertEqual(try createCSR(double, "good-1", token: "node1", pem: good, usages: serving), 201)
        try waitFor("good-1 approved within 5 s", timeout: 5) { try self.isApproved(double, "good-1") }
        XCTAssertLessThanOrEqual(Date().timeIntervalSince(createdAt), 5)
        XCTAssertEqual(try approvers(double, "good-1"), ["master01"], "the leader approved, the follower did not")

        // Several more passes: every forgery is still pending, and each was logged once by the leader.
        Thread.sleep(forTimeInterval: 2.5)
        for forged in forgeries {
            XCTAssertFalse(try isApproved(double, forged.name), forged.name)
            let lines = first.log.split(separator: "\n").filter {
                $0.contains("left a certificate signing request pending") && $0.contains("csr=\(forged.name) ")
            }
            XCTAssertEqual(lines.count, 1, "\(forged.name) logged once: \(first.log)")
        }
        XCTAssertTrue(first.log.contains("key encipherment (RSA only)"), first.log)
        XCTAssertFalse(second.log.contains("left a certificate signing request pending"), "the follower only waits")

        stop(first, signal: SIGKILL)
        let killedAt = Date()
        XCTAssertEqual(try createCSR(double, "good-2", token: "node1", pem: good, usages: serving), 201)
        let handover = Self.leaseSeconds + 2
        try waitFor("master02 approves good-2 within \(handover) s of the SIGKILL", timeout: handover + 1) {
            try self.isApproved(double, "good-2")
        }
        XCTAssertLessThanOrEqual(Date().timeIntervalSince(killedAt), handover, second.log)
        XCTAssertEqual(try approvers(double, "good-2"), ["master02"])
        XCTAssertEqual(try holder(double), "master02")
        for forged in forgeries { XCTAssertFalse(try isApproved(double, forged.name), forged.name) }

        // SIGTERM: the Lease is released (empty holder) and the process exits 0.
        kill(second.process.processIdentifier, SIGTERM)
        try waitFor("master02 to exit after SIGTERM", timeout: 5) { !second.process.isRunning }
        XCTAssertEqual(second.process.terminationStatus, 0, second.log)
        XCTAssertEqual(try holder(double), "", second.log)
        XCTAssertTrue(second.log.contains("supervise stopped"), second.log)
    }

    // Each master's supervisor looks at its own control plane every --health-interval and logs changes only: here
    // four stand-in components (the kubelet, kcm, scheduler and kube-proxy, where the manifests on disk say) go
    // away at once, and each is logged unhealthy once, at error.
    func testHealthChangesOfThisMastersControlPlaneAreLoggedOnce() throws {
        let certs = try CurlTestCertificates()
        defer { certs.remove() }
        let double = try CurlDoubleProcess([
            "--tls-cert", certs.cert("server"), "--tls-key", certs.key("server"), "--require-auth", "--authorize",
            "--token", "super,kubernetes-super-admin,u0,system:masters",
        ])
        defer { double.stop() }
        let standIn = try HealthStandIn(
            ["http:127.0.0.1:0", "https:127.0.0.2:0", "https:127.0.0.3:0", "http:127.0.0.4:0"],
            cert: certs.cert("server"), key: certs.key("server"))
        defer { standIn.stop() }
        let base = try TestSupport.makeTemporaryDirectory(self, name: "supervise-health")
        let configPath = try writeConfig(in: base, apiURL: double.baseURL, caFile: certs.cert("ca"))
        let config = try ConfigLoader.load(
            yaml: try String(contentsOfFile: configPath, encoding: .utf8), file: configPath)
        let rendered = try WaitControlPlaneTests.renderedFiles(
            config,
            [
                "kubelet": ("127.0.0.1", standIn.ports[0]), "kube-controller-manager": ("127.0.0.2", standIn.ports[1]),
                "kube-scheduler": ("127.0.0.3", standIn.ports[2]), "kube-proxy": ("127.0.0.4", standIn.ports[3]),
            ])
        for (path, file) in rendered.files {
            let url = base.appendingPathComponent(String(path.dropFirst()))
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try file.data.write(to: url)
        }

        let agent = try launch("master01", config: configPath, root: base, extra: ["--health-interval", "1"])
        defer { stop(agent, signal: SIGKILL) }
        try waitFor("the first look", timeout: 10) { agent.log.contains("control plane healthy") }
        let first = try XCTUnwrap(agent.log.split(separator: "\n").first { $0.contains("control plane healthy") })
        for component in ["kubelet", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kube-proxy"] {
            XCTAssertTrue(first.contains(component), String(first))
        }

        standIn.stop()
        try waitFor("four components reported unhealthy", timeout: 10) {
            agent.log.components(separatedBy: "component not healthy").count - 1 >= 4
        }
        // Two more looks: nothing new is logged for components that stay down.
        Thread.sleep(forTimeInterval: 2.5)
        let lines = agent.log.split(separator: "\n").filter { $0.contains("component not healthy") }
        XCTAssertEqual(lines.count, 4, agent.log)
        XCTAssertTrue(lines.allSatisfy { $0.contains("error") }, agent.log)
        XCTAssertFalse(lines.contains { $0.contains("kube-apiserver") }, agent.log)
    }

    // MARK: - helpers

    private func writeConfig(in directory: URL, apiURL: String, caFile: String) throws -> String {
        var text = try TestSupport.fixtureText("modern-cluster.yaml")
        let pki = directory.appendingPathComponent("pki")
        try FileManager.default.createDirectory(at: pki, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: caFile, toPath: pki.appendingPathComponent("ca.crt").path)
        try "super\n".write(to: pki.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        XCTAssertTrue(text.contains("\napiServer:\n"), "modern fixture changed shape")
        // Paths are under --root, as the agent reads them.
        text = text.replacingOccurrences(
            of: "\napiServer:\n",
            with: "\napiServer:\n  localURL: \(apiURL)\n  caFile: /pki/ca.crt\n  tokenFile: /pki/token\n")
        text +=
            "\nelection:\n  namespace: kube-system\n  leaseDuration: \(Int(Self.leaseSeconds))s\n  renewInterval: 1s\n"
        let path = directory.appendingPathComponent("cluster.yaml")
        try text.write(to: path, atomically: true, encoding: .utf8)
        return path.path
    }

    private func launch(_ node: String, config: String, root: URL, extra: [String] = []) throws -> Agent {
        let err = root.appendingPathComponent("\(node).stderr")
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = TestSupport.binary
        process.arguments =
            [
                "supervise", "--config", config, "--node", node, "--root", root.path, "--log-level", "info",
            ] + extra
        try AgentNetworkGuard.check(process.arguments!)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return Agent(node: node, process: process, stderr: err)
    }

    private func stop(_ agent: Agent, signal: Int32) {
        if agent.process.isRunning { kill(agent.process.processIdentifier, signal) }
        agent.process.waitUntilExit()
    }

    /// Polls `condition` every 50 ms until it holds; fails the test with `what` after `timeout`.
    private func waitFor(_ what: String, timeout: TimeInterval, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTFail("timed out waiting for \(what)")
        throw XCTSkip("stopped after a failed wait")
    }

    private func api(
        _ double: CurlDoubleProcess, _ method: HTTPMethod, _ path: String, token: String = "super", body: Any? = nil
    ) throws -> (status: Int, json: [String: Any]) {
        let client = try HTTPClient(tls: HTTPTLSConfig(insecureSkipTLSVerify: true), userAgent: "supervise-tests")
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        var headers = ["Authorization": "Bearer \(token)"]
        if data != nil { headers["Content-Type"] = "application/json" }
        let response = try client.send(
            HTTPRequest(method: method, url: double.baseURL + path, headers: headers, body: data))
        return (response.status, (try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]) ?? [:])
    }

    private func createCSR(
        _ double: CurlDoubleProcess, _ name: String, token: String, pem: Data,
        signer: String = KubeletServingCSRPolicy.signerName, usages: [String]
    ) throws -> Int {
        let body: [String: Any] = [
            "apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest", "metadata": ["name": name],
            "spec": ["request": pem.base64EncodedString(), "signerName": signer, "usages": usages],
        ]
        return try api(double, .post, csrs, token: token, body: body).status
    }

    private func isApproved(_ double: CurlDoubleProcess, _ name: String) throws -> Bool {
        let conditions = (try api(double, .get, "\(csrs)/\(name)").json["status"] as? [String: Any])?["conditions"]
        return (conditions as? [[String: Any]])?.contains { $0["type"] as? String == "Approved" } ?? false
    }

    private func holder(_ double: CurlDoubleProcess) throws -> String? {
        (try api(double, .get, leasePath).json["spec"] as? [String: Any])?["holderIdentity"] as? String
    }

    /// The nodes whose agents sent a successful PUT to `name`'s approval subresource (from the double's log).
    private func approvers(_ double: CurlDoubleProcess, _ name: String) throws -> [String] {
        let log = try double.control("log") as? [String: Any]
        let entries = log?["entries"] as? [[String: Any]] ?? []
        return entries.filter {
            $0["method"] as? String == "PUT" && ($0["path"] as? String)?.hasSuffix("/\(name)/approval") == true
                && $0["status"] as? Int == 200
        }.compactMap { ($0["userAgent"] as? String)?.split(separator: " ").last.map { String($0.dropLast()) } }
    }
}
