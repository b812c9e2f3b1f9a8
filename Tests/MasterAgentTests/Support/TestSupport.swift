import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// Paths and process helpers shared by the tests.
enum TestSupport {
    /// The repository root (found from this file's path).
    static let repoRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// A file under Tests/MasterAgentTests/Fixtures.
    static func fixture(_ relative: String) -> URL {
        repoRoot.appendingPathComponent("Tests/MasterAgentTests/Fixtures").appendingPathComponent(relative)
    }

    /// Text of a fixture.
    static func fixtureText(_ relative: String) throws -> String {
        try String(contentsOf: fixture(relative), encoding: .utf8)
    }

    /// The built `master-agent` binary, beside the test bundle.
    static var binary: URL {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        if directory.lastPathComponent.hasSuffix(".xctest") { directory.deleteLastPathComponent() }
        return directory.appendingPathComponent("master-agent")
    }

    /// A fresh temporary directory on the root filesystem (not /tmp, which nspawn containers replace),
    /// removed when the test ends.
    static func makeTemporaryDirectory(_ test: XCTestCase, name: String = "t") throws -> URL {
        let base = repoRoot.appendingPathComponent(".build/test-tmp")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        let url = base.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// What a finished process printed and returned.
    struct ProcessResult {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs `executable` with `arguments` and waits for it (bounded by `timeout`, then killed by PID).
    @discardableResult
    static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String]? = nil,
        currentDirectory: URL? = nil, input: String? = nil, timeout: TimeInterval = 60
    ) throws -> ProcessResult {
        // The agent, run directly or as the command of a wrapper (unshare, setpriv): loopback only.
        if executable.path == binary.path {
            try AgentNetworkGuard.check(arguments)
        } else if let index = arguments.firstIndex(of: binary.path) {
            try AgentNetworkGuard.check(Array(arguments[(index + 1)...]))
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
        // Read both pipes concurrently so a chatty child never blocks on a full pipe.
        final class Buffer: @unchecked Sendable { var data = Data() }
        let outData = Buffer(), errData = Buffer()
        let group = DispatchGroup()
        group.enter();
        DispatchQueue.global().async {
            outData.data = out.fileHandleForReading.readDataToEndOfFile(); group.leave()
        }
        group.enter();
        DispatchQueue.global().async {
            errData.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave()
        }
        if group.wait(timeout: .now() + timeout) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            group.wait()
        }
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus, stdout: String(decoding: outData.data, as: UTF8.self),
            stderr: String(decoding: errData.data, as: UTF8.self))
    }

    /// Runs the agent binary.
    @discardableResult
    static func agent(_ arguments: [String], input: String? = nil, timeout: TimeInterval = 60) throws -> ProcessResult {
        try run(binary, arguments, input: input, timeout: timeout)
    }

    /// The seed config, parsed.
    static func seedConfig() throws -> ClusterConfig {
        try ConfigLoader.load(yaml: fixtureText("seed-cluster.yaml"), file: "seed-cluster.yaml")
    }
}
