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

    func testKilledAgentsConvergeOnRerun() throws {
        var generator = SystemRandomNumberGenerator()
        var roundsWithRecord = 0, killed = 0
        for (round, window) in Self.killWindows.enumerated() {
            let server = try EtcdTestServer(self)
            try server.start()
            let cluster = try SecretsTestCluster(self, server: server)
            let masters = try (1...3).map { try cluster.master($0 == 2 ? "master02" : "master01") }
            var processes: [(process: Process, killAt: Double)] = []
            let started = Date()
            for master in masters {
                let arguments = ["bootstrap", "--steps", "cluster-secrets"] + master.arguments
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
            for (process, killAt) in processes.sorted(by: { $0.killAt < $1.killAt }) {
                let wait = killAt - Date().timeIntervalSince(started)
                if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
                if process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    killed += 1
                }
            }
            for (process, _) in processes { process.waitUntilExit() }
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
            for master in masters {
                let leftovers = try FileManager.default.contentsOfDirectory(atPath: master.pkiDir.path)
                    .filter(TemporaryFileName.isTemporary)
                XCTAssertEqual(leftovers, [], "round \(round)")
            }
            server.stop()
        }
        print(
            "SecretsCrashTests: \(killed) of \(3 * Self.killWindows.count) agents killed; the record existed before "
                + "the rerun in \(roundsWithRecord) of \(Self.killWindows.count) rounds")
    }
}
