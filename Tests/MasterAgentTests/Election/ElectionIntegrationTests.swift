import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// Five real `master-agent bootstrap --steps election,namespace` processes against the API double on
/// 127.0.0.1, with a short lease (3 s, renew 1 s) so rounds stay fast.
final class ElectionIntegrationTests: XCTestCase {
    private static let nodes = (1...5).map { "master0\($0)" }
    private static let leaseSeconds = 3.0
    private let leasePath = "/apis/coordination.k8s.io/v1/namespaces/default/leases/master-agent-bootstrap"

    /// One agent process; its output goes to files so a full pipe can never stall it.
    private struct Agent {
        let node: String
        let process: Process
        let stdout: URL
        let stderr: URL
    }

    /// How an agent ended.
    private struct Ended {
        let node: String
        let status: Int32
        let killedBySignal: Bool
        let stdout: String
        let stderr: String
    }

    // MARK: - tests

    func testFiveAgentsCreateKubeSystemExactlyOnceTwentyRounds() throws {
        // 14 rounds on a modern server without kube-system (Lease lock), 6 on a v1.2-like one (Endpoints lock).
        for (mode, rounds) in [("modern", 14), ("legacy", 6)] {
            let double = try CurlDoubleProcess(mode == "legacy" ? ["--mode", "legacy"] : ["--no-kube-system"])
            defer { double.stop() }
            let base = try TestSupport.makeTemporaryDirectory(self, name: "election-\(mode)")
            let config = try writeConfig(in: base, apiURL: double.baseURL)
            for round in 1...rounds {
                _ = try control(double, .post, "/__double/reset")
                let agents = try Self.nodes.map {
                    try launch($0, config: config, base: base.appendingPathComponent("r\(round)"))
                }
                let ended = agents.map { finish($0, timeout: 20) }
                let label = "\(mode) round \(round)"
                for end in ended { XCTAssertEqual(end.status, 0, "\(label) \(end.node): \(end.stdout)\(end.stderr)") }
                let state = try control(double, .get, "/__double/state") as! [String: Any]
                XCTAssertEqual(
                    state["namespaceCreatesTotal"] as? Int, 1, "\(label): \(state["namespaceCreates"] ?? "")")
                let creators = ended.filter { $0.stdout.contains("created kube-system (201 Created)") }.map(\.node)
                XCTAssertEqual(creators.count, 1, "\(label): exactly one agent says it created kube-system")
                if let creator = creators.first {
                    XCTAssertEqual(
                        (state["namespaceCreates"] as? [String: Int])?.keys.first { $0.hasSuffix("(node \(creator))") }
                            != nil, true,
                        "\(label): the double counted \(creator)'s create")
                }
                // The others found it: as followers (saying whom they followed and how long they waited), as a later
                // leader with nothing left to create, or, starting after it was created, with no election at all.
                let lateComers = ended.filter { $0.stdout.contains("kube-system already exists: no leader is needed") }
                for end in ended where !creators.contains(end.node) {
                    XCTAssertTrue(end.stdout.contains("kube-system exists;"), "\(label) \(end.node): \(end.stdout)")
                    let followed = end.stdout.contains("followed") && end.stdout.contains("waited")
                    let ledLate = end.stdout.contains("had nothing to create")
                    XCTAssertTrue(
                        followed || ledLate || lateComers.contains { $0.node == end.node },
                        "\(label) \(end.node): \(end.stdout)")
                }
                let byPath = state["requestsByMethodPath"] as? [String: Int] ?? [:]
                let objects = state["objects"] as? [String: [String]] ?? [:]
                if mode == "legacy" {
                    XCTAssertGreaterThanOrEqual(
                        byPath["POST /api/v1/namespaces/default/endpoints"] ?? 0, 1,
                        "\(label): Endpoints lock: \(byPath)")
                    XCTAssertTrue(
                        objects["endpoints"]?.contains("default/master-agent-bootstrap") ?? false,
                        "\(label): \(objects)")
                    XCTAssertNil(byPath.keys.first { $0.contains("/leases") }, "\(label): no Lease on a legacy server")
                    XCTAssertTrue(
                        ended.filter { end in !lateComers.contains { $0.node == end.node } }
                            .allSatisfy { $0.stdout.contains("Endpoints default/master-agent-bootstrap") })
                } else {
                    XCTAssertGreaterThanOrEqual(
                        byPath["POST /apis/coordination.k8s.io/v1/namespaces/default/leases"] ?? 0, 1,
                        "\(label): Lease lock: \(byPath)")
                    XCTAssertTrue(
                        objects["leases"]?.contains("default/master-agent-bootstrap") ?? false, "\(label): \(objects)")
                    XCTAssertNil(
                        byPath.keys.first { $0.contains("/endpoints") },
                        "\(label): no Endpoints lock on a modern server")
                    let lease = try control(double, .get, leasePath) as! [String: Any]
                    let spec = lease["spec"] as? [String: Any] ?? [:]
                    XCTAssertEqual(spec["holderIdentity"] as? String, "", "\(label): the leader released the Lease")
                    XCTAssertEqual(spec["leaseDurationSeconds"] as? Int, 1)
                }
            }
        }
    }

    func testLeaderKilledAfterAcquiringIsReplacedWithinLeaseDurationPlusTwoSeconds() throws {
        let double = try CurlDoubleProcess(["--no-kube-system"])
        defer { double.stop() }
        let base = try TestSupport.makeTemporaryDirectory(self, name: "election-kill")
        let config = try writeConfig(in: base, apiURL: double.baseURL)
        // Only the leader POSTs namespaces: the first such POST from any agent hangs, so the leader is stuck after acquiring.
        let rule: [String: Any] = [
            "path": "/api/v1/namespaces", "method": "POST", "userAgent": "(node master0", "action": "hang", "count": 1,
        ]
        _ = try control(double, .post, "/__double/faults", body: rule)
        let agents = try Self.nodes.map { try launch($0, config: config, base: base) }
        defer { agents.filter(\.process.isRunning).forEach { kill($0.process.processIdentifier, SIGKILL) } }

        // Polling the double for the hung request, not sleeping to pass.
        let deadline = Date().addingTimeInterval(15)
        var hung = false
        while !hung && Date() < deadline {
            let rules =
                (try control(double, .get, "/__double/faults") as? [String: Any])?["rules"] as? [[String: Any]] ?? []
            hung = rules.first?["remaining"] as? Int == 0
            if !hung { Thread.sleep(forTimeInterval: 0.02) }
        }
        XCTAssertTrue(hung, "the leader's namespace POST never arrived")
        let lease = try control(double, .get, leasePath) as! [String: Any]
        let leader = try XCTUnwrap((lease["spec"] as? [String: Any])?["holderIdentity"] as? String)
        let victim = try XCTUnwrap(agents.first { $0.node == leader }, "holder \(leader)")
        kill(victim.process.processIdentifier, SIGKILL)
        let killedAt = Date()

        var creates = 0
        while creates == 0 && Date().timeIntervalSince(killedAt) < Self.leaseSeconds + 5 {
            creates =
                (try control(double, .get, "/__double/state") as? [String: Any])?["namespaceCreatesTotal"] as? Int ?? 0
            if creates == 0 { Thread.sleep(forTimeInterval: 0.05) }
        }
        let took = Date().timeIntervalSince(killedAt)
        XCTAssertEqual(creates, 1)
        XCTAssertLessThanOrEqual(took, Self.leaseSeconds + 2, "kube-system created \(took) s after the leader died")
        print("kube-system created \(String(format: "%.2f", took)) s after the leader \(leader) was killed")

        let ended = agents.map { finish($0, timeout: 15) }
        let survivors = ended.filter { $0.node != leader }
        for end in survivors { XCTAssertEqual(end.status, 0, "\(end.node): \(end.stdout)\(end.stderr)") }
        XCTAssertTrue(ended.first { $0.node == leader }?.killedBySignal ?? false)
        let state = try control(double, .get, "/__double/state") as! [String: Any]
        let creator = (state["namespaceCreates"] as? [String: Int])?.keys.first ?? ""
        XCTAssertFalse(creator.contains("(node \(leader))"), "the dead leader cannot have created it: \(creator)")
        let newLeader = survivors.filter {
            $0.stdout.contains("took over from \(leader)") && $0.stdout.contains("created kube-system")
        }
        XCTAssertEqual(newLeader.count, 1, survivors.map(\.stdout).joined())
    }

    func testServerWithKubeSystemGetsNoCreateFromAnyAgent() throws {
        let double = try CurlDoubleProcess()
        defer { double.stop() }
        let base = try TestSupport.makeTemporaryDirectory(self, name: "election-exists")
        let config = try writeConfig(in: base, apiURL: double.baseURL)
        let ended = try Self.nodes.map { try launch($0, config: config, base: base) }.map { finish($0, timeout: 20) }
        for end in ended {
            XCTAssertEqual(end.status, 0, "\(end.node): \(end.stdout)\(end.stderr)")
            XCTAssertTrue(end.stdout.contains("kube-system exists"), end.stdout)
        }
        let state = try control(double, .get, "/__double/state") as! [String: Any]
        XCTAssertEqual(state["namespaceCreatesTotal"] as? Int, 0)
        XCTAssertNil((state["requestsByMethodPath"] as? [String: Int])?["POST /api/v1/namespaces"], "nobody even tried")
    }

    // MARK: - helpers

    /// The seed config with localURL pointing at the double, masters master01..05 (their 192.168 addresses are
    /// only rendered, never contacted) and a 3 s lease.
    private func writeConfig(in directory: URL, apiURL: String) throws -> String {
        var text = try TestSupport.fixtureText("seed-cluster.yaml")
        text = text.replacingOccurrences(of: "http://127.0.0.1:8080", with: apiURL)
        let seedMasters = """
              - name: master02
                dnsName: master02.example.com
                address: 192.168.1.2

            """
        XCTAssertTrue(text.contains(seedMasters), "seed fixture changed shape")
        text = text.replacingOccurrences(
            of: seedMasters,
            with: (2...5).map {
                "  - name: master0\($0)\n    dnsName: master0\($0).example.com\n    address: 192.168.1.\($0)\n"
            }.joined() + "\n")
        text += "\nelection:\n  leaseDuration: \(Int(Self.leaseSeconds))s\n  renewInterval: 1s\n"
        let path = directory.appendingPathComponent("cluster.yaml")
        try text.write(to: path, atomically: true, encoding: .utf8)
        return path.path
    }

    private func launch(_ node: String, config: String, base: URL) throws -> Agent {
        let root = base.appendingPathComponent(node)
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("run"), withIntermediateDirectories: true)
        let out = root.appendingPathComponent("stdout.txt"), err = root.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = TestSupport.binary
        process.arguments = [
            "bootstrap", "--steps", "election,namespace", "--config", config, "--node", node, "--root", root.path,
        ]
        try AgentNetworkGuard.check(process.arguments!)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return Agent(node: node, process: process, stdout: out, stderr: err)
    }

    /// Waits for `agent` (polling its exit, killed by PID after `timeout`) and reads what it printed.
    private func finish(_ agent: Agent, timeout: TimeInterval) -> Ended {
        let deadline = Date().addingTimeInterval(timeout)
        while agent.process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if agent.process.isRunning { kill(agent.process.processIdentifier, SIGKILL) }
        agent.process.waitUntilExit()
        return Ended(
            node: agent.node, status: agent.process.terminationStatus,
            killedBySignal: agent.process.terminationReason == .uncaughtSignal,
            stdout: (try? String(contentsOf: agent.stdout, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: agent.stderr, encoding: .utf8)) ?? "")
    }

    /// Calls the double (control endpoints or plain API reads) and returns the JSON answer.
    private func control(_ double: CurlDoubleProcess, _ method: HTTPMethod, _ path: String, body: Any? = nil) throws
        -> Any
    {
        let client = try HTTPClient(userAgent: "election-tests")
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let response = try client.send(
            HTTPRequest(
                method: method, url: double.baseURL + path,
                headers: data == nil ? [:] : ["Content-Type": "application/json"], body: data))
        return try JSONSerialization.jsonObject(with: response.body)
    }
}
