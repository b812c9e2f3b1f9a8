import Foundation
import Logging
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime

/// `master-agent supervise` and the cluster-tasks step against the real kube-apiserver v1.20.2 (Node authorizer,
/// RBAC, NodeRestriction): the kubelet's own certificate creates its Node and CSRs, the agent's admin certificate
/// approves and binds.
final class RealSuperviseTests: XCTestCase {
    override func setUpWithError() throws {
        try RealControlPlane.skipUnlessAvailable()
    }

    func testSuperviseApprovesTheKubeletsServingCSRWithin5sAndLeavesAForgeryPending() throws {
        let server = try RealControlPlane(Self.self, name: "supervise")
        defer { server.stop() }
        let root = try TestSupport.makeTemporaryDirectory(self, name: "real-supervise")
        let config = try writeModernConfig(server, root: root)
        let node = try server.client("NODE")
        _ = try node.create(nodeObject(), in: "/api/v1/nodes")

        let stderr = root.appendingPathComponent("supervise.stderr")
        _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
        let process = Process()
        process.executableURL = TestSupport.binary
        process.arguments = [
            "supervise", "--config", config, "--node", "master01", "--root", root.path, "--log-level", "info",
        ]
        try AgentNetworkGuard.check(process.arguments!)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: stderr)
        try process.run()
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        let log = { (try? String(contentsOf: stderr, encoding: .utf8)) ?? "" }

        let good = try TestSigningRequests.make(
            subject: "/O=system:nodes/CN=system:node:master01", sans: "DNS:master01,IP:10.0.0.11")
        let forged = try TestSigningRequests.make(
            subject: "/O=system:nodes/CN=system:node:master01", sans: "DNS:master01,DNS:kubernetes.default")
        _ = try node.create(csr("forged-san", forged), in: CertificateSigningRequestObject.collectionPath)
        let created = Date()
        _ = try node.create(csr("good", good), in: CertificateSigningRequestObject.collectionPath)
        let admin = try server.client()
        func decision(_ name: String) throws -> String? {
            try admin.get(
                CertificateSigningRequestObject.self, "\(CertificateSigningRequestObject.collectionPath)/\(name)"
            )
            .decision
        }
        while try decision("good") == nil, Date().timeIntervalSince(created) < 6 {
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertEqual(try decision("good"), "Approved", log())
        XCTAssertLessThanOrEqual(Date().timeIntervalSince(created), 5, "approved within 5 s of its creation")
        Thread.sleep(forTimeInterval: 2)
        XCTAssertNil(try decision("forged-san"), log())
        XCTAssertTrue(log().contains("DNS:kubernetes.default is not an address Node master01 reports"), log())

        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, log())
        XCTAssertEqual(
            try admin.get(
                LeaseObject.self, "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/master-agent-supervise"
            ).spec?.holderIdentity, "", "released on SIGTERM")
    }

    func testClusterTasksBindClusterAdminsAndLabelTheNodeOnceOnTheRealServer() throws {
        let server = try RealControlPlane(Self.self, name: "cluster-tasks")
        defer { server.stop() }
        let root = try TestSupport.makeTemporaryDirectory(self, name: "real-cluster-tasks")
        let config = try ConfigLoader.load(
            yaml: try String(contentsOfFile: try writeModernConfig(server, root: root), encoding: .utf8),
            file: "cluster.yaml")
        _ = try server.client("NODE").create(nodeObject(), in: "/api/v1/nodes")
        func run() throws -> StepOutcome {
            let context = BootstrapContext(
                config: config, node: config.masters[0], files: InMemoryFileStore(), dryRun: false,
                logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }), clock: SystemClock(),
                random: FixedRandom(0.5),
                makeAPITransport: { try HTTPClient(tls: server.tls("ADMIN"), userAgent: "real-cluster-tasks") })
            context.wallClock = SystemWallClock()
            return try ClusterTasksStep().run(context)
        }
        let first = try run()
        XCTAssertEqual(first.status, .changed)
        XCTAssertEqual(
            first.message,
            "master01 led and created ClusterRoleBinding kubeadm:cluster-admins -> cluster-admin (201 Created); "
                + "labelled Node master01 node-role.kubernetes.io/control-plane=")
        let binding = try server.client().get(
            ClusterRoleBindingObject.self, "\(ClusterRoleBindingObject.collectionPath)/kubeadm:cluster-admins")
        XCTAssertEqual(binding.roleRef, ClusterRoleBindingObject.clusterAdmins.roleRef)
        XCTAssertEqual(binding.subjects?.map(\.name), ["kubeadm:cluster-admins"])
        let again = try run()
        XCTAssertEqual(again.status, .unchanged, again.message)
        XCTAssertEqual(
            try server.client().get(NodeObject.self, "/api/v1/nodes/master01").metadata.labels?[
                NodeObject.controlPlaneLabel], "")
    }

    // MARK: - helpers

    /// The modern fixture with apiServer pointing at this server as `ADMIN` (files copied under `root`), the
    /// election in kube-system with a 3 s lease.
    private func writeModernConfig(_ server: RealControlPlane, root: URL) throws -> String {
        let pki = root.appendingPathComponent("etc/real-cp")
        try FileManager.default.createDirectory(at: pki, withIntermediateDirectories: true)
        var fields: [String] = []
        for (field, source) in [
            ("caFile", server.caFile), ("certFile", server.env["REAL_CP_ADMIN_CRT"]!),
            ("keyFile", server.env["REAL_CP_ADMIN_KEY"]!),
        ] {
            let target = pki.appendingPathComponent(URL(fileURLWithPath: source).lastPathComponent)
            try FileManager.default.copyItem(atPath: source, toPath: target.path)
            fields.append("  \(field): /etc/real-cp/\(target.lastPathComponent)\n")
        }
        var text = try TestSupport.fixtureText("modern-cluster.yaml")
        XCTAssertTrue(text.contains("\napiServer:\n"), "modern fixture changed shape")
        text = text.replacingOccurrences(
            of: "\napiServer:\n", with: "\napiServer:\n  localURL: \(server.apiURL)\n" + fields.joined())
        text += "\nelection:\n  namespace: kube-system\n  leaseDuration: 3s\n  renewInterval: 1s\n"
        let path = root.appendingPathComponent("cluster.yaml")
        try text.write(to: path, atomically: true, encoding: .utf8)
        return path.path
    }

    /// Node master01 as its kubelet registers it.
    private func nodeObject() -> NodeObject {
        NodeObject(
            apiVersion: "v1", kind: "Node", metadata: ObjectMeta(name: "master01"),
            status: .init(addresses: [
                .init(type: "InternalIP", address: "10.0.0.11"), .init(type: "Hostname", address: "master01"),
            ]))
    }

    private func csr(_ name: String, _ pem: Data) -> CertificateSigningRequestObject {
        CertificateSigningRequestObject(
            metadata: ObjectMeta(name: name),
            spec: .init(
                request: pem.base64EncodedString(), signerName: KubeletServingCSRPolicy.signerName,
                usages: ["digital signature", "server auth"]))
    }
}
