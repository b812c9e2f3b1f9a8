import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// The Kubernetes API double (Tests/Support/kube_api_double.py) run as a child process on 127.0.0.1.
final class CurlDoubleProcess {
    /// `http://127.0.0.1:PORT` or `https://...`.
    let baseURL: String
    /// The port the double bound.
    let port: Int
    private let process: Process
    private let directory: URL

    /// Path of the double script, found relative to this source file.
    static let scriptPath: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Support/kube_api_double.py").path

    /// Starts the double with `arguments` on a free loopback port and returns once it accepts connections
    /// (or, with `waitForAccept` false, once its port is bound: a `--refuse-for` double still refuses);
    /// throws when it does not come up within 10 s.
    init(_ arguments: [String] = [], waitForAccept: Bool = true) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("curl-double-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let readyFile = directory.appendingPathComponent("ready.json")
        let stderrFile = directory.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)

        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments =
            [
                CurlDoubleProcess.scriptPath, "--listen", "127.0.0.1:0",
                "--ready-file", readyFile.path,
            ] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()

        // Waiting for the child to come up is polling for readiness, not a sleep that makes a test pass.
        let deadline = Date().addingTimeInterval(10)
        var info: [String: Any]?
        while info == nil, Date() < deadline, process.isRunning {
            if let data = try? Data(contentsOf: readyFile) {
                info = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            } else {
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
        guard let info, let port = (info["ports"] as? [Int])?.first, let scheme = info["scheme"] as? String else {
            let log = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
            process.terminate()
            throw NSError(
                domain: "CurlDoubleProcess", code: 1,
                userInfo: [NSLocalizedDescriptionKey: "API double did not start: \(log)"])
        }
        self.port = port
        baseURL = "\(scheme)://127.0.0.1:\(port)"
        guard waitForAccept else { return }
        // The ready file is written once bound, a moment before listen(); wait for accept.
        while SystemTCPProbe().canConnect(host: "127.0.0.1", port: port, timeout: .milliseconds(200)) != .connected {
            guard Date() < deadline, process.isRunning else {
                process.terminate()
                throw NSError(
                    domain: "CurlDoubleProcess", code: 2,
                    userInfo: [NSLocalizedDescriptionKey: "API double never accepted on \(port)"])
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// Stops the double by its PID (SIGTERM, then SIGKILL after 2 s) and removes its files.
    func stop() {
        let pid = process.processIdentifier
        if process.isRunning {
            kill(pid, SIGTERM)
            let deadline = Date().addingTimeInterval(2)
            while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
            if process.isRunning { kill(pid, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Fetches `/__double/<what>` as JSON through a fresh client (test control endpoints).
    func control(_ what: String, tls: HTTPTLSConfig = HTTPTLSConfig(insecureSkipTLSVerify: true)) throws -> Any {
        let client = try HTTPClient(tls: tls, userAgent: "curl-tests")
        let response = try client.send(HTTPRequest(url: "\(baseURL)/__double/\(what)"))
        return try JSONSerialization.jsonObject(with: response.body)
    }

    /// Sends `method` with the JSON `body` to `/__double/<what>` (add fault rules, reset) and returns the answer.
    @discardableResult
    func control(
        _ what: String, method: HTTPMethod, body: Any? = nil,
        tls: HTTPTLSConfig = HTTPTLSConfig(insecureSkipTLSVerify: true)
    ) throws -> Any {
        let client = try HTTPClient(tls: tls, userAgent: "curl-tests")
        let response = try client.send(
            HTTPRequest(
                method: method, url: "\(baseURL)/__double/\(what)", headers: ["Content-Type": "application/json"],
                body: try body.map { try JSONSerialization.data(withJSONObject: $0) }))
        return try JSONSerialization.jsonObject(with: response.body)
    }
}
