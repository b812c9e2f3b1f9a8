import Foundation
import XCTest

@testable import AgentCore

/// Tests/Support/health_standin.py as a child process: loopback servers that answer 500 until their time, then ok.
final class HealthStandIn {
    /// The bound ports, in the order of the specs.
    let ports: [Int]
    private let process: Process
    private let directory: URL

    static let scriptPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Support/health_standin.py").path

    /// Starts one server per `specs` entry (`scheme:host:secondsUntilOk`); HTTPS ones serve `cert`/`key`.
    init(_ specs: [String], cert: String? = nil, key: String? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("standin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let ready = directory.appendingPathComponent("ports.json")
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        var arguments = [Self.scriptPath, "--ready-file", ready.path]
        if let cert, let key { arguments += ["--cert", cert, "--key", key] }
        process.arguments = arguments + specs
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Polling for the child's readiness, not a sleep that makes a test pass.
        let deadline = Date().addingTimeInterval(10)
        var ports: [Int]?
        while ports == nil, Date() < deadline, process.isRunning {
            if let data = try? Data(contentsOf: ready) {
                ports = try JSONSerialization.jsonObject(with: data) as? [Int]
            } else {
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
        guard let ports else {
            process.terminate()
            throw NSError(domain: "HealthStandIn", code: 1, userInfo: [NSLocalizedDescriptionKey: "did not start"])
        }
        self.ports = ports
    }

    /// Stops the child by its PID and removes its files.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// `pod` with its health address (container port and liveness probe) moved to `address`, where a stand-in answers.
    static func probed(_ pod: StaticPod, at address: (host: String, port: Int)) -> StaticPod {
        var pod = pod
        var container = pod.spec.containers[0]
        if container.ports != nil { container.ports![0].containerPort = address.port }
        if case .number = container.livenessProbe!.httpGet.port {
            container.livenessProbe!.httpGet.port = .number(address.port)
        }
        container.livenessProbe!.httpGet.host = address.host
        pod.spec.containers[0] = container
        return pod
    }
}
