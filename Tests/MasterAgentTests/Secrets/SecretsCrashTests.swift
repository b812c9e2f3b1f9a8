import Foundation
import XCTest

@testable import AgentCore
@testable import AgentRuntime

/// Agents killed (SIGKILL) at random points of the cluster-secrets step, before or after the compare-and-swap:
/// a rerun converges on one record and the same files everywhere, never two CAs or two keys.
final class SecretsCrashTests: XCTestCase {
    /// Per round, the window (milliseconds after the start) in which each agent is killed: from inside process
    /// start-up to past the compare-and-swap and the writes (one creating run takes about 0.45 s alone, three at once
    /// on two cores up to about 1.5 s: most of it is the RSA key).
    static let killWindows: [ClosedRange<Double>] = [0...100, 100...400, 400...800, 800...1500, 0...1500]
    /// The same for modern masters running cluster-secrets then certs (ECDSA keys: a run takes about 0.5 s alone).
    static let modernKillWindows: [ClosedRange<Double>] = [0...150, 150...500, 500...1200, 0...1200]

    func testKilledAgentsConvergeOnRerun() throws {
        var roundsWithRecord = 0, killed = 0
        for (round, window) in Self.killWindows.enumerated() {
            let server = try EtcdTestServer(self)
            try server.start()
            let cluster = try SecretsTestCluster(self, server: server)
            let masters = try (1...3).map { try cluster.master($0 == 2 ? "master02" : "master01") }
            killed += try startAndKill(
                masters.map { ["bootstrap", "--steps", "cluster-secrets"] + $0.arguments }, window)
            if try cluster.stored() != nil { roundsWithRecord += 1 }

            for master in masters {
                let rerun = try cluster.bootstrap(master)
                XCTAssertEqual(rerun.status, 0, "round \(round): \(rerun.stdout)\(rerun.stderr)")
            }
            let stored = try XCTUnwrap(try cluster.stored())
            XCTAssertEqual(stored.version, 1, "round \(round): written once")
            let first = cluster.sharedFiles(of: masters[0])
            XCTAssertEqual(first.count, 3, "round \(round)")
            for master in masters.dropFirst() {
                XCTAssertEqual(cluster.sharedFiles(of: master), first, "round \(round): one CA, one key")
            }
            try assertNoLeftovers(masters, round: round)
            server.stop()
        }
        print(
            "SecretsCrashTests: \(killed) of \(3 * Self.killWindows.count) agents killed; the record existed before "
                + "the rerun in \(roundsWithRecord) of \(Self.killWindows.count) rounds")
    }

    func testKilledModernAgentsConvergeOnRerunWithOneCAAndTheirOwnCertificates() throws {
        let shared =
            ["ca.crt", "ca.key", "front-proxy-ca.crt", "front-proxy-ca.key", "sa.key", "sa.pub"].map {
                "/etc/kubernetes/pki/\($0)"
            } + ["/etc/kubernetes/encryption-config.yaml"]
        var killed = 0
        for (round, window) in Self.modernKillWindows.enumerated() {
            let server = try EtcdTestServer(self)
            try server.start()
            let cluster = try SecretsTestCluster(self, server: server)
            let masters = try ["master01", "master02", "master03"].map { try cluster.modernMaster($0) }
            let steps = ["bootstrap", "--steps", "cluster-secrets,certs"]
            killed += try startAndKill(masters.map { steps + $0.arguments }, window)

            for master in masters {
                let rerun = try cluster.agent(master, steps)
                XCTAssertEqual(rerun.status, 0, "round \(round): \(rerun.stdout)\(rerun.stderr)")
            }
            XCTAssertEqual(try XCTUnwrap(try cluster.stored()).version, 1, "round \(round): written once")
            let files = { (master: SecretsTestCluster.Master) in
                shared.map { FileManager.default.contents(atPath: master.host($0).path) }
            }
            XCTAssertFalse(files(masters[0]).contains(nil), "round \(round)")
            for master in masters {
                XCTAssertEqual(
                    files(master), files(masters[0]), "round \(round): one CA, one sa key, one encryption key")
                let verify = try TestSupport.run(
                    URL(fileURLWithPath: "/usr/bin/openssl"),
                    ["verify", "-CAfile", masters[0].file("ca.crt").path, master.file("apiserver.crt").path])
                XCTAssertEqual(verify.status, 0, "round \(round): \(verify.stdout)\(verify.stderr)")
            }
            try assertNoLeftovers(masters, round: round)
            for master in masters {
                let leftovers = try FileManager.default.contentsOfDirectory(
                    atPath: master.host("/etc/kubernetes").path
                ).filter { $0.hasPrefix(".master-agent.encryption-config.yaml.") }
                XCTAssertEqual(leftovers, [], "round \(round)")
            }
            server.stop()
        }
        print("SecretsCrashTests (modern): \(killed) of \(3 * Self.modernKillWindows.count) agents killed")
    }

    /// Starts one agent per argument list, kills each at a random time of `window` (ms) unless it has exited, and
    /// returns how many were killed.
    private func startAndKill(_ argumentLists: [[String]], _ window: ClosedRange<Double>) throws -> Int {
        var generator = SystemRandomNumberGenerator()
        var processes: [(process: Process, killAt: Double)] = []
        let started = Date()
        for arguments in argumentLists {
            try AgentNetworkGuard.check(arguments)
            let process = Process()
            process.executableURL = TestSupport.binary
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
            processes.append((process, Double.random(in: window, using: &generator) / 1000))
        }
        var killed = 0
        for (process, killAt) in processes.sorted(by: { $0.killAt < $1.killAt }) {
            let wait = killAt - Date().timeIntervalSince(started)
            if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                killed += 1
            }
        }
        for (process, _) in processes { process.waitUntilExit() }
        return killed
    }

    private func assertNoLeftovers(_ masters: [SecretsTestCluster.Master], round: Int) throws {
        for master in masters {
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: master.pkiDir.path)
                .filter(TemporaryFileName.isTemporary)
            XCTAssertEqual(leftovers, [], "round \(round)")
        }
    }
}
