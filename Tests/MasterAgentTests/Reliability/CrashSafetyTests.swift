import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// SIGKILL the agent at random moments while a watcher reads every manifest that appears:
/// no partial file may ever be visible, and a rerun converges to the bytes of an uninterrupted run.
final class CrashSafetyTests: XCTestCase {
    /// Trials: MASTER_AGENT_CRASH_TRIALS, default 50 (CI sets fewer).
    private var trials: Int { Int(ProcessInfo.processInfo.environment["MASTER_AGENT_CRASH_TRIALS"] ?? "") ?? 50 }

    private final class Watcher: @unchecked Sendable {
        let directory: String
        let allowed: [String: Set<Data>]
        private let lock = NSLock()
        private var stop = false
        private(set) var violations: [String] = []
        private(set) var reads = 0

        init(directory: String, allowed: [String: Set<Data>]) {
            self.directory = directory
            self.allowed = allowed
        }

        func run() {
            while !lock.withLock({ stop }) {
                for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
                where !name.hasPrefix(".") {
                    guard let data = FileManager.default.contents(atPath: directory + "/" + name) else { continue }
                    lock.withLock {
                        reads += 1
                        if !(allowed[name]?.contains(data) ?? false) {
                            violations.append("\(name): \(data.count) bytes not a complete known version")
                        }
                    }
                }
            }
        }

        func finish() -> ([String], Int) {
            lock.withLock {
                stop = true; return (violations, reads)
            }
        }
    }

    func testKilledRunsNeverExposePartialManifestsAndRerunConverges() throws {
        let work = try TestSupport.makeTemporaryDirectory(self, name: "crash")
        let seed = try TestSupport.fixtureText("seed-cluster.yaml")
        // Two configs whose manifests all differ, so every trial really rewrites files.
        let configA = work.path + "/a.yaml", configB = work.path + "/b.yaml"
        try seed.write(toFile: configA, atomically: true, encoding: .utf8)
        try seed.replacingOccurrences(
            of: "quay.io/coreos/hyperkube:v1.2.2_coreos.0", with: "quay.io/coreos/hyperkube:v1.2.3_coreos.0"
        )
        .replacingOccurrences(of: "housekeepingInterval: 60s", with: "housekeepingInterval: 30s").write(
            toFile: configB, atomically: true, encoding: .utf8)

        // The complete versions, from uninterrupted runs into reference roots.
        var allowed: [String: Set<Data>] = [:]
        var expectedA: [String: Data] = [:]
        for (index, config) in [configA, configB].enumerated() {
            let reference = work.path + "/reference-\(index)"
            XCTAssertEqual(
                try TestSupport.agent(["render", "--config", config, "--node", "master01", "--root", reference]).status,
                0)
            for name in try FileManager.default.contentsOfDirectory(atPath: reference + "/etc/kubernetes/manifests") {
                let data = FileManager.default.contents(atPath: reference + "/etc/kubernetes/manifests/" + name)!
                allowed[name, default: []].insert(data)
                if index == 0 { expectedA[name] = data }
            }
        }

        let root = work.path + "/node"
        let manifests = root + "/etc/kubernetes/manifests"
        try FileManager.default.createDirectory(atPath: manifests, withIntermediateDirectories: true)
        let watcher = Watcher(directory: manifests, allowed: allowed)
        let thread = Thread { watcher.run() }
        thread.start()
        // Kill anywhere from start-up to just past a whole run, measured here on this machine.
        let timed = Date()
        XCTAssertEqual(
            try TestSupport.agent([
                "render", "--config", configA, "--node", "master01", "--root", work.path + "/timing",
            ]).status, 0)
        let runMicroseconds = UInt32(Date().timeIntervalSince(timed) * 1_300_000)
        var killedMidRun = 0
        for trial in 0..<trials {
            let process = Process()
            process.executableURL = TestSupport.binary
            process.arguments = [
                "render", "--config", trial % 2 == 0 ? configA : configB, "--node", "master01", "--root", root,
                "--log-level", "error",
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 0...runMicroseconds))
            if process.isRunning { kill(process.processIdentifier, SIGKILL); killedMidRun += 1 }
            process.waitUntilExit()
        }
        let (violations, reads) = watcher.finish()
        XCTAssertEqual(violations, [], "partial or unknown manifests were visible")
        XCTAssertGreaterThan(reads, 0)
        XCTAssertGreaterThan(killedMidRun, 0, "no trial was killed before it finished; the test proved nothing")

        // A clean rerun converges to exactly the uninterrupted bytes and removes leftover temp files.
        XCTAssertEqual(
            try TestSupport.agent(["render", "--config", configA, "--node", "master01", "--root", root]).status, 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: manifests).sorted()
        XCTAssertEqual(names, expectedA.keys.sorted())
        for (name, data) in expectedA {
            XCTAssertEqual(FileManager.default.contents(atPath: manifests + "/" + name), data, name)
        }
    }
}
