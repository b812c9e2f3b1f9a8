import Foundation
import Logging
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// The supervisor's periodic look at the control plane: only changes of health are logged, an unhealthy component
/// at error (journald's priority 3), a recovery at notice; and the priority prefix journald reads.
final class ControlPlaneHealthWatchTests: XCTestCase {
    /// Answers each URL with the status set for it; a URL without one is a refused connection.
    private final class Components: HTTPTransport {
        var answers: [String: Int] = [:]
        func send(_ request: HTTPRequest) throws -> HTTPResponse {
            guard let status = answers[request.url] else {
                throw HTTPClientError(
                    code: .connectionRefused, method: "GET", url: request.url, curlCode: 7,
                    curlMessage: "Connection refused", tlsVerifyResult: nil, osErrno: ECONNREFUSED)
            }
            return HTTPResponse(
                status: status, headers: ["content-type": "text/plain"], body: Data((status == 200 ? "ok" : "no").utf8),
                timing: .init(
                    total: .zero, nameLookup: .zero, connect: .zero, tlsHandshake: .zero, firstByte: .zero,
                    newConnections: 0))
        }
    }

    private let scheduler = "https://127.0.0.1:10259/livez"
    private let apiReady = "https://127.0.0.1:6443/readyz"

    private func watch(_ components: Components, log: RecordedLog) -> ControlPlaneHealthWatch {
        let targets = [
            HealthTarget(
                component: "kube-apiserver", urls: [apiReady], host: "127.0.0.1", port: 6443, access: .localAPI,
                program: "kube-apiserver"),
            HealthTarget(
                component: "kube-scheduler", urls: [scheduler], host: "127.0.0.1", port: 10259, access: .loopback,
                program: "kube-scheduler"),
        ]
        let waiter = ControlPlaneWaiter(
            localAPI: { components }, loopback: { components }, clock: ManualClock(), random: FixedRandom())
        return ControlPlaneHealthWatch(
            targets: { targets }, look: ControlPlaneHealthLook(waiter: waiter), logger: log.logger())
    }

    func testOnlyChangesAreLoggedWithTheirPriority() {
        let components = Components()
        components.answers = [apiReady: 200, scheduler: 200]
        let log = RecordedLog()
        let watch = watch(components, log: log)

        XCTAssertEqual(watch.check().count, 2)
        XCTAssertEqual(log.all, ["notice control plane healthy components=kube-apiserver,kube-scheduler"])
        XCTAssertEqual(watch.check(), [], "nothing changed, nothing logged")
        XCTAssertEqual(log.all.count, 1)

        components.answers[scheduler] = nil
        XCTAssertEqual(watch.check().map(\.component), ["kube-scheduler"])
        XCTAssertEqual(log.all.count, 2)
        XCTAssertTrue(log.all[1].hasPrefix("error component not healthy component=kube-scheduler"), log.all[1])
        XCTAssertTrue(log.all[1].contains("GET \(scheduler): connection refused"), log.all[1])
        XCTAssertEqual(watch.check(), [], "still down: logged once")

        components.answers[scheduler] = 200
        XCTAssertEqual(watch.check(), [.init(component: "kube-scheduler", healthy: true, detail: nil)])
        XCTAssertEqual(log.all.last, "notice component healthy again component=kube-scheduler")
    }

    func testAFirstLookWithAnUnhealthyComponentNamesEachOne() {
        let components = Components()
        components.answers = [apiReady: 500]
        let log = RecordedLog()
        watch(components, log: log).check()
        XCTAssertEqual(log.all.count, 2, "\(log.all)")
        XCTAssertTrue(log.all.contains { $0.hasPrefix("error component not healthy component=kube-apiserver") })
        XCTAssertTrue(log.all.contains { $0.hasPrefix("error component not healthy component=kube-scheduler") })
    }

    func testJournalLinesCarryTheSyslogPriorityPrefix() {
        let line = JournalLogHandler.line(
            level: .error, label: "master-agent", message: "component not healthy",
            metadata: ["component": "kube-scheduler", "a": "1"])
        XCTAssertEqual(line, "<3>master-agent: error: component not healthy a=1 component=kube-scheduler")
        XCTAssertEqual(
            [Logger.Level.trace, .debug, .info, .notice, .warning, .error, .critical].map(JournalLogHandler.priority),
            [7, 7, 6, 5, 4, 3, 2])
    }

    // systemd names the journal stream in JOURNAL_STREAM (device:inode of stderr): the agent prefixes priorities
    // then, and only then (a JOURNAL_STREAM inherited by a process whose stderr went elsewhere is ignored).
    func testThePrefixAppearsOnlyWhenStderrIsTheNamedStream() throws {
        let directory = try TestSupport.makeTemporaryDirectory(self, name: "journal")
        let stderrFile = directory.appendingPathComponent("stderr")
        XCTAssertTrue(FileManager.default.createFile(atPath: stderrFile.path, contents: nil))
        var info = stat()
        XCTAssertEqual(stat(stderrFile.path, &info), 0)
        func run(journalStream: String) throws -> String {
            let process = Process()
            process.executableURL = TestSupport.binary
            // wait-api against a closed port: its failure (exit 4) is the last line, at error priority.
            process.arguments = [
                "wait-api", "--url", "http://127.0.0.1:9", "--timeout", "0.3s",
            ]
            try AgentNetworkGuard.check(process.arguments!)
            process.environment = ["JOURNAL_STREAM": journalStream, "PATH": "/usr/bin:/bin"]
            try Data().write(to: stderrFile)
            process.standardError = try FileHandle(forWritingTo: stderrFile)
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return try String(contentsOf: stderrFile, encoding: .utf8)
        }
        let journal = try run(journalStream: "\(info.st_dev):\(info.st_ino)")
        let lines = journal.split(separator: "\n")
        XCTAssertFalse(lines.isEmpty)
        XCTAssertTrue(lines.allSatisfy { $0.hasPrefix("<") }, journal)
        XCTAssertTrue(lines.contains { $0.hasPrefix("<3>master-agent: could not reach the API server") }, journal)
        let elsewhere = try run(journalStream: "\(info.st_dev):\(info.st_ino &+ 1)")
        XCTAssertFalse(elsewhere.contains("<"), elsewhere)
        XCTAssertFalse(elsewhere.isEmpty)
    }
}
