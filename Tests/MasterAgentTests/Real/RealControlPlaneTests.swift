import Foundation
import Logging
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// `wait-api` against a real kube-apiserver v1.20.2 and etcd 3.4 (scripts/real-control-plane).
final class RealWaitAPITests: XCTestCase {
    override func setUpWithError() throws {
        try RealControlPlane.skipUnlessAvailable()
    }

    func testWaitAPIStartedBeforeTheServerExistsReturnsOnlyOnceReadyzIsOk() throws {
        let port = try HTTPClientPlainTests.closedLoopbackPort()
        let directory = try TestSupport.makeTemporaryDirectory(self, name: "real-wait")
        // The server's PKI does not exist yet: the agent gets it from the same script run, so it reads the
        // CA and the client certificate only once they are there. Until then the port refuses connections.
        let pki = directory.appendingPathComponent("cp")
        let agentOut = directory.appendingPathComponent("wait.json")
        _ = FileManager.default.createFile(atPath: agentOut.path, contents: nil)
        let agent = Process()
        agent.executableURL = TestSupport.binary
        let url = "https://127.0.0.1:\(port)"
        agent.arguments = [
            "wait-api", "--url", url, "--timeout", "150s", "--output", "json",
            "--cacert", pki.appendingPathComponent("pki/ca.crt").path,
            "--cert", pki.appendingPathComponent("pki/admin.crt").path,
            "--key", pki.appendingPathComponent("pki/admin.key").path,
        ]
        try AgentNetworkGuard.check(agent.arguments!)
        agent.standardOutput = try FileHandle(forWritingTo: agentOut)
        agent.standardError = FileHandle.nullDevice
        try agent.run()
        defer { if agent.isRunning { kill(agent.processIdentifier, SIGKILL) } }

        let server = try RealControlPlane(Self.self, name: "wait", apiPort: port, directory: pki)
        defer { server.stop() }
        XCTAssertEqual(server.apiURL, url)
        // The server answered ok before start returned; the agent polls every ~0.2 s, so it ends soon after.
        waitUntil(timeout: 60, interval: 0.05, "wait-api to return once the server is ready") { !agent.isRunning }
        agent.waitUntilExit()
        let output = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: agentOut)) as? [String: Any])
        XCTAssertEqual(agent.terminationStatus, 0, "\(output)")
        XCTAssertEqual(output["ready"] as? Bool, true, "\(output)")
        XCTAssertEqual(output["healthPath"] as? String, "/readyz", "v1.20 serves /readyz")
        XCTAssertGreaterThan(output["tcpProbes"] as? Int ?? 0, 0, "it started while nothing listened: \(output)")
        // Ready means ready: the server answers ok now, to the same credentials.
        let readyz = try HTTPClient(tls: server.tls("ADMIN"), userAgent: "real-tier-tests")
            .send(HTTPRequest(url: "\(url)/readyz"))
        XCTAssertEqual(readyz.status, 200)
        XCTAssertEqual(String(decoding: readyz.body, as: UTF8.self), "ok")
    }

    func testAForeignCAFailsClosedAtOnce() throws {
        let server = try RealControlPlane(Self.self, name: "foreign")
        defer { server.stop() }
        let started = Date()
        let result = try TestSupport.agent([
            "wait-api", "--url", server.apiURL, "--timeout", "60s",
            "--cacert", server.env["REAL_CP_FOREIGN_CA_CRT"]!,
            "--cert", server.env["REAL_CP_ADMIN_CRT"]!, "--key", server.env["REAL_CP_ADMIN_KEY"]!,
        ])
        XCTAssertNotEqual(result.status, 0, result.stdout)
        XCTAssertLessThan(Date().timeIntervalSince(started), 30, "a TLS failure is not waited out")
        XCTAssertTrue(result.stderr.contains("TLS"), result.stderr)
        XCTAssertTrue(result.stderr.contains("Check the CA file"), result.stderr)
    }
}

/// The election and namespace steps, and the Lease API under concurrent electors, on a real server.
final class RealElectionTests: XCTestCase {
    private static var server: RealControlPlane?

    override class func tearDown() {
        server?.stop()
        server = nil
        super.tearDown()
    }

    override func setUpWithError() throws {
        try RealControlPlane.skipUnlessAvailable()
        if Self.server == nil { Self.server = try RealControlPlane(Self.self, name: "election") }
    }

    private var server: RealControlPlane { Self.server! }

    func testOnAServerWithKubeSystemNothingIsLeadAndNoLockIsWritten() throws {
        let root = try TestSupport.makeTemporaryDirectory(self, name: "real-ns")
        let config = try server.writeAgentConfig(root: root)
        let result = try TestSupport.agent([
            "bootstrap", "--steps", "election,namespace", "--config", config,
            "--node", "master01", "--root", root.path,
        ])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("kube-system already exists: no leader is needed"), result.stdout)
        XCTAssertTrue(result.stdout.contains("kube-system exists; nothing to create"), result.stdout)
        let lease = try server.client().getIfPresent(
            LeaseObject.self,
            "/apis/coordination.k8s.io/v1/namespaces/default/leases/master-agent-bootstrap")
        XCTAssertNil(lease, "no lock is written when there is nothing to lead")
    }

    func testAClientCertificateWithoutRightsGetsTheForbiddenExplained() throws {
        let root = try TestSupport.makeTemporaryDirectory(self, name: "real-403")
        let config = try server.writeAgentConfig(root: root, as: "NOBODY")
        let result = try TestSupport.agent([
            "bootstrap", "--steps", "election,namespace", "--config", config,
            "--node", "master01", "--root", root.path,
        ])
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        let said = result.stdout + result.stderr
        XCTAssertTrue(said.contains("403 Forbidden"), said)
        // The kube-system check is best effort (a failure there leads to an election); the lock's GET names the 403.
        XCTAssertTrue(
            said.contains(#"User "nobody" cannot get resource "leases" in API group "coordination.k8s.io""#), said)
        XCTAssertTrue(said.contains("Check that the credentials are allowed this request (RBAC)."), said)
    }

    func testFiveConcurrentElectorsOnTheRealLeaseAPIGiveExactlyOneHolder() throws {
        let name = "real-election-\(UUID().uuidString.prefix(8).lowercased())"
        let identities = (1...5).map { "master0\($0)" }
        let timings = try LeaseTimings(leaseDuration: 15, renewInterval: 2)
        let electors = try identities.map { identity in
            // One connection each, as five agents on five masters have.
            LeaderElector(
                lock: LeaseLock(client: try server.client(), namespace: "default", name: name), identity: identity,
                timings: timings, clock: SystemClock(), wallClock: SystemWallClock(), logger: Logger(label: "real"))
        }
        final class Rounds: @unchecked Sendable { var results: [String: Result<ElectionRound, Error>] = [:] }
        let rounds = Rounds()
        let lock = NSLock()
        let group = DispatchGroup()
        for elector in electors {
            DispatchQueue.global().async(group: group) {
                let result = Result { try elector.tryAcquireOrRenew() }
                lock.withLock { rounds.results[elector.identity] = result }
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 60), .success)
        var leaders: [String] = []
        for (identity, result) in rounds.results {
            switch result {
            case .success(let round) where round.isLeading:
                leaders.append(identity)
            case .success(.following), .success(.lostRace):
                break
            case .success(let round):
                XCTFail("\(identity): unexpected round \(round)")
            case .failure(let error):
                XCTFail("\(identity): \(error)")
            }
        }
        XCTAssertEqual(leaders.count, 1, "exactly one holder: \(rounds.results)")
        let lease = try XCTUnwrap(
            try server.client().getIfPresent(
                LeaseObject.self,
                "/apis/coordination.k8s.io/v1/namespaces/default/leases/\(name)"))
        XCTAssertEqual(lease.spec?.holderIdentity, leaders.first, "the server's Lease names the one leader")
        // A second look by each follower sees that holder, with a valid lease.
        for elector in electors where elector.identity != leaders.first {
            guard case .following(let holder, let expiresIn) = try elector.tryAcquireOrRenew() else {
                return XCTFail("\(elector.identity) did not follow")
            }
            XCTAssertEqual(holder, leaders.first)
            XCTAssertGreaterThan(expiresIn, 0)
        }
        for elector in electors { elector.release() }
        XCTAssertEqual(
            try server.client().get(LeaseObject.self, "/apis/coordination.k8s.io/v1/namespaces/default/leases/\(name)")
                .spec?.holderIdentity, "", "the leader released the lock")
    }
}

/// One scenario against the real server and against the API double: the answers the agent saw must be
/// the same, so the double cannot drift from the real server unnoticed.
final class RealDoubleParityTests: XCTestCase {
    override func setUpWithError() throws {
        try RealControlPlane.skipUnlessAvailable()
    }

    func testTheDoubleAnswersTheScenarioAsTheRealServerDoes() throws {
        let server = try RealControlPlane(Self.self, name: "parity")
        defer { server.stop() }
        let real = try scenario(client: server.client(), base: server.apiURL, tls: server.tls("ADMIN"))

        let env = server.env
        let double = try CurlDoubleProcess([
            "--tls-cert", env["REAL_CP_APISERVER_CRT"]!, "--tls-key", env["REAL_CP_APISERVER_KEY"]!,
            "--client-ca", server.caFile,
        ])
        defer { double.stop() }
        let tls = server.tls("ADMIN")
        let doubleAnswers = try scenario(
            client: KubernetesAPIClient(
                transport: try HTTPClient(tls: tls, userAgent: "parity"),
                baseURL: double.baseURL),
            base: double.baseURL, tls: tls)
        XCTAssertEqual(doubleAnswers.count, real.count)
        for (seenReal, seenDouble) in zip(real, doubleAnswers) {
            XCTAssertEqual(
                seenDouble, seenReal, "the double differs from kube-apiserver \(env["REAL_CP_KUBE_VERSION"] ?? "")")
        }
    }

    /// Each request of the scenario and what came back: `STEP: STATUS REASON` (`200`, `409 AlreadyExists`, ...).
    private func scenario(client: KubernetesAPIClient, base: String, tls: HTTPTLSConfig) throws -> [String] {
        var seen: [String] = []
        func record(_ step: String, _ body: () throws -> Void) {
            do {
                try body()
                seen.append("\(step): 2xx")
            } catch let error as APIError {
                seen.append("\(step): \(error.statusCode) \(error.reason ?? "-")")
            } catch {
                seen.append("\(step): \(error)")
            }
        }
        let namespace = "parity-\(UUID().uuidString.prefix(8).lowercased())"
        let leases = "/apis/coordination.k8s.io/v1/namespaces/default/leases"
        let health = try HTTPClient(tls: tls, userAgent: "parity")
        for path in ["/readyz", "/livez", "/healthz"] {
            let response = try health.send(HTTPRequest(url: base + path))
            seen.append("GET \(path): \(response.status) \(String(decoding: response.body, as: UTF8.self))")
        }
        record("lease API served") { XCTAssertTrue(try client.serves("/apis/coordination.k8s.io/v1")) }
        record("GET kube-system") { _ = try client.get(NamespaceObject.self, "/api/v1/namespaces/kube-system") }
        record("GET missing namespace") { _ = try client.get(NamespaceObject.self, "/api/v1/namespaces/\(namespace)") }
        record("POST namespace") { _ = try client.create(NamespaceObject(name: namespace), in: "/api/v1/namespaces") }
        record("POST namespace again") {
            _ = try client.create(NamespaceObject(name: namespace), in: "/api/v1/namespaces")
        }
        record("POST kube-system") {
            _ = try client.create(NamespaceObject(name: "kube-system"), in: "/api/v1/namespaces")
        }
        let record1 = LeaderElectionRecord(
            holderIdentity: "master01", leaseDurationSeconds: 15, acquireTime: Date(),
            renewTime: Date(), leaderTransitions: 0)
        let name = namespace
        record("GET missing lease") { _ = try client.get(LeaseObject.self, "\(leases)/\(name)") }
        var created: LeaseObject?
        record("POST lease") {
            created = try client.create(
                LeaseObject(name: name, namespace: "default", resourceVersion: nil, record: record1), in: leases)
        }
        record("POST lease again") {
            _ = try client.create(
                LeaseObject(name: name, namespace: "default", resourceVersion: nil, record: record1), in: leases)
        }
        let version = created?.metadata.resourceVersion ?? "0"
        record("PUT the same lease at its version") {
            // A write that changes nothing stores nothing: the resourceVersion stays.
            let same = try client.update(
                LeaseObject(name: name, namespace: "default", resourceVersion: version, record: record1),
                at: "\(leases)/\(name)")
            seen.append("unchanged PUT keeps the resourceVersion: \(same.metadata.resourceVersion == version)")
        }
        var renewed = record1
        renewed.renewTime = record1.renewTime?.addingTimeInterval(2)
        record("PUT a renewed lease at its version") {
            let updated = try client.update(
                LeaseObject(name: name, namespace: "default", resourceVersion: version, record: renewed),
                at: "\(leases)/\(name)")
            seen.append("renewing PUT gives a new resourceVersion: \(updated.metadata.resourceVersion != version)")
        }
        record("PUT lease at the stale version") {
            _ = try client.update(
                LeaseObject(name: name, namespace: "default", resourceVersion: version, record: renewed),
                at: "\(leases)/\(name)")
        }
        record("PUT lease with a second-precision time") {
            // MicroTime must carry six fractional digits; the API server rejects anything else with 400.
            var lease = try client.get(LeaseObject.self, "\(leases)/\(name)")
            lease.spec?.renewTime = "2026-11-24T22:00:00Z"
            _ = try client.update(lease, at: "\(leases)/\(name)")
        }
        return seen
    }
}
