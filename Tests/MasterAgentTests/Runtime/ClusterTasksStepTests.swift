import Foundation
import Logging
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// The cluster-tasks step: against the in-memory API in virtual time, and against the API double over HTTPS with
/// its RBAC-like authorization (two masters at once).
final class ClusterTasksStepTests: XCTestCase {
    private let bindingPath = "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/kubeadm:cluster-admins"
    private let leasePath = "/apis/coordination.k8s.io/v1/namespaces/default/leases/master-agent-bootstrap"

    private func modernConfig(localURL: String = "https://127.0.0.1:6443", apiServerExtra: String = "") throws
        -> ClusterConfig
    {
        var text = try TestSupport.fixtureText("modern-cluster.yaml")
        text = text.replacingOccurrences(
            of: "\napiServer:\n", with: "\napiServer:\n  localURL: \(localURL)\n\(apiServerExtra)")
        return try ConfigLoader.load(yaml: text, file: "modern-cluster.yaml")
    }

    private func context(
        _ config: ClusterConfig, node: Int = 0, clock: MonotonicClock, transport: @escaping () throws -> HTTPTransport
    ) -> BootstrapContext {
        let context = BootstrapContext(
            config: config, node: config.masters[node], files: InMemoryFileStore(), dryRun: false,
            logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }),
            clock: clock, random: FixedRandom(0.5), makeAPITransport: transport)
        context.wallClock = (clock as? ManualClock).map { FixedWallClock(following: $0) } ?? SystemWallClock()
        return context
    }

    private func step() -> ClusterTasksStep { ClusterTasksStep(renewInBackground: false, nodeTimeout: 10) }

    private func storeNode(_ api: InMemoryKubeAPI, _ name: String, labels: [String: String] = [:]) {
        api.store(
            "/api/v1/nodes/\(name)",
            [
                "metadata": ["name": name, "labels": labels],
                "status": ["addresses": [["type": "InternalIP", "address": "10.0.0.1"]]],
            ])
    }

    func testLeaderBindsClusterAdminsAndLabelsItsOwnNode() throws {
        let api = InMemoryKubeAPI(kubeSystem: true), clock = ManualClock()
        storeNode(api, "master01")
        let outcome = try step().run(context(try modernConfig(), clock: clock, transport: { api }))
        XCTAssertEqual(outcome.status, .changed)
        XCTAssertEqual(
            outcome.message,
            "master01 led and created ClusterRoleBinding kubeadm:cluster-admins -> cluster-admin (201 Created); "
                + "labelled Node master01 node-role.kubernetes.io/control-plane=")
        let post = try XCTUnwrap(api.requests.first { $0.method == .post && $0.url.hasSuffix("/clusterrolebindings") })
        XCTAssertEqual(
            String(decoding: try XCTUnwrap(post.body), as: UTF8.self),
            #"{"apiVersion":"rbac.authorization.k8s.io\/v1","kind":"ClusterRoleBinding","metadata":{"name":"kubeadm:cluster-admins"},"#
                + #""roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cluster-admin"},"#
                + #""subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"Group","name":"kubeadm:cluster-admins"}]}"#
        )
        let patch = try XCTUnwrap(api.requests.first { $0.method == .patch })
        XCTAssertEqual(
            String(decoding: try XCTUnwrap(patch.body), as: UTF8.self),
            #"{"metadata":{"labels":{"node-role.kubernetes.io\/control-plane":""}}}"#)
        XCTAssertEqual(
            try api.object(NodeObject.self, at: "/api/v1/nodes/master01")?.metadata.labels,
            ["node-role.kubernetes.io/control-plane": ""])
        XCTAssertEqual(try api.object(LeaseObject.self, at: leasePath)?.spec?.holderIdentity, "", "released")
    }

    func testConvergedClusterGetsNoWriteAndTheLockIsNotTouched() throws {
        let api = InMemoryKubeAPI(kubeSystem: true), clock = ManualClock()
        storeNode(api, "master01", labels: ["node-role.kubernetes.io/control-plane": ""])
        storeBinding(api)
        let outcome = try step().run(context(try modernConfig(), clock: clock, transport: { api }))
        XCTAssertEqual(outcome.status, .unchanged)
        XCTAssertEqual(
            outcome.message,
            "ClusterRoleBinding kubeadm:cluster-admins exists; Node master01 already has node-role.kubernetes.io/control-plane"
        )
        XCTAssertEqual(api.requests.filter { $0.method != .get }.count, 0, "\(api.requests.map(\.url))")
        XCTAssertEqual(api.requests.filter { $0.url.contains("leases") }.count, 0)
    }

    func testFollowerWaitsForTheLeadersBindingAndCreatesNone() throws {
        let api = InMemoryKubeAPI(kubeSystem: true), clock = ManualClock()
        storeNode(api, "master02")
        var polls = 0
        api.beforeRequest = { request, api in
            if request.method == .get && request.url.hasSuffix("/clusterrolebindings/kubeadm:cluster-admins") {
                polls += 1
                // master01 leads (and renews) and creates the binding after a few polls.
                if polls % 2 == 1 { try? api.writeLease(self.record("master01", clock)) }
                if polls == 5 { self.storeBinding(api) }
            }
            return nil
        }
        let outcome = try step().run(context(try modernConfig(), node: 1, clock: clock, transport: { api }))
        XCTAssertEqual(outcome.status, .changed, "the label changed")
        XCTAssertTrue(
            outcome.message.hasPrefix("ClusterRoleBinding kubeadm:cluster-admins exists; master02 followed master01"),
            outcome.message)
        XCTAssertEqual(api.count(.post, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings"), 0)
        XCTAssertEqual(try api.object(LeaseObject.self, at: leasePath)?.spec?.holderIdentity, "master01")
    }

    func testANodeThatNeverRegistersFailsNamingTheNextStep() throws {
        let api = InMemoryKubeAPI(kubeSystem: true), clock = ManualClock()
        storeBinding(api)
        let started = clock.now()
        XCTAssertThrowsError(try step().run(context(try modernConfig(), clock: clock, transport: { api }))) { error in
            XCTAssertEqual(
                error as? ClusterTasksError,
                ClusterTasksError(node: "master01", waited: 10, lastProblem: "Node master01 is not registered yet"))
            XCTAssertTrue("\(error)".contains("journalctl -u kubelet"), "\(error)")
            XCTAssertTrue("\(error)".contains("master-agent bootstrap --steps cluster-tasks"), "\(error)")
        }
        XCTAssertGreaterThanOrEqual(clock.now() - started, 10)
        XCTAssertLessThan(clock.now() - started, 13, "bounded: the timeout plus one poll")
    }

    func testLegacyProfileAndDryRunAreSkippedWithTheReason() throws {
        let api = InMemoryKubeAPI(), clock = ManualClock()
        let legacy = try step().run(context(try TestSupport.seedConfig(), clock: clock, transport: { api }))
        XCTAssertEqual(legacy.status, .skipped)
        XCTAssertTrue(legacy.message.contains("legacy-hyperkube profile has no cluster tasks"), legacy.message)
        let config = try modernConfig()
        let dry = BootstrapContext(
            config: config, node: config.masters[0], files: InMemoryFileStore(), dryRun: true,
            logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }), clock: clock,
            random: FixedRandom(0.5), makeAPITransport: { api })
        XCTAssertEqual(try step().run(dry).status, .skipped)
        XCTAssertTrue(api.requests.isEmpty)
    }

    func testTwoMastersAgainstTheDoubleBindOnceLabelTheirOwnNodesAndAdminConfGetsItsRights() throws {
        let certs = try CurlTestCertificates()
        defer { certs.remove() }
        let double = try CurlDoubleProcess([
            "--tls-cert", certs.cert("server"), "--tls-key", certs.key("server"), "--require-auth", "--authorize",
            "--token", "super,kubernetes-super-admin,u0,system:masters",
            "--token", "admin,kubernetes-admin,u1,kubeadm:cluster-admins",
        ])
        defer { double.stop() }
        let dir = try TestSupport.makeTemporaryDirectory(self, name: "cluster-tasks")
        let token = dir.appendingPathComponent("token")
        try "super\n".write(to: token, atomically: true, encoding: .utf8)
        let config = try modernConfig(localURL: double.baseURL)
        func transport() throws -> HTTPTransport {
            try HTTPClient(tls: HTTPTLSConfig(caFile: certs.cert("ca"), bearerTokenFile: token.path), userAgent: "ct")
        }
        let client = try transport()
        func send(_ method: HTTPMethod, _ path: String, as who: String, body: [String: Any]? = nil) throws -> Int {
            try client.send(
                HTTPRequest(
                    method: method, url: double.baseURL + path,
                    headers: ["Authorization": "Bearer \(who)", "Content-Type": "application/json"],
                    body: try body.map { try JSONSerialization.data(withJSONObject: $0) })
            ).status
        }
        for name in ["master01", "master02"] {
            XCTAssertEqual(
                try send(.post, "/api/v1/nodes", as: "super", body: ["metadata": ["name": name]]), 201)
        }
        XCTAssertEqual(try send(.get, "/api/v1/nodes", as: "admin"), 403, "admin.conf has no rights yet")

        // Both masters at once, each with its own connections and background renewal, as two processes would.
        var outcomes: [Int: Result<StepOutcome, Error>] = [:]
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let result = Result {
                try ClusterTasksStep().run(
                    self.context(config, node: index, clock: SystemClock(), transport: transport))
            }
            lock.withLock { outcomes[index] = result }
        }
        let messages = try (0..<2).map { try XCTUnwrap(outcomes[$0]).get().message }
        XCTAssertEqual(messages.filter { $0.contains("(201 Created)") }.count, 1, "\(messages)")
        let state = try XCTUnwrap(try double.control("state") as? [String: Any])
        let creates = (state["creates"] as? [String: [String: Int]])?["clusterrolebindings"] ?? [:]
        XCTAssertEqual(creates.values.reduce(0, +), 1, "exactly one create reached the server: \(creates)")
        for name in ["master01", "master02"] {
            let response = try client.send(
                HTTPRequest(url: double.baseURL + "/api/v1/nodes/\(name)", headers: ["Authorization": "Bearer admin"]))
            let node = try JSONDecoder().decode(NodeObject.self, from: response.body)
            XCTAssertEqual(node.metadata.labels, ["node-role.kubernetes.io/control-plane": ""], name)
        }
        XCTAssertEqual(try send(.get, "/api/v1/nodes", as: "admin"), 200, "the binding gives admin.conf its rights")

        // A rerun changes nothing.
        let again = try ClusterTasksStep().run(context(config, node: 1, clock: SystemClock(), transport: transport))
        XCTAssertEqual(again.status, .unchanged, again.message)
    }

    private func storeBinding(_ api: InMemoryKubeAPI) {
        api.store(
            bindingPath,
            [
                "metadata": ["name": "kubeadm:cluster-admins"],
                "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"],
                "subjects": [["kind": "Group", "name": "kubeadm:cluster-admins"]],
            ])
    }

    private func record(_ holder: String, _ clock: ManualClock) -> LeaderElectionRecord {
        let now = FixedWallClock(following: clock).wallNow()
        return LeaderElectionRecord(
            holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: now, renewTime: now, leaderTransitions: 0)
    }
}
