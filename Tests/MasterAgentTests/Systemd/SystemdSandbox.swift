import Foundation
import XCTest

/// A real systemd booted with systemd-nspawn by Tests/Support/systemd-sandbox; one per test class.
final class SystemdSandbox {
    /// The sandbox script in this checkout.
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Support/systemd-sandbox").path

    /// The sandbox's working directory (overlay layers, PID files, console log).
    let directory: String
    /// The container's PID 1, as seen from the host.
    let pid1: Int32

    /// The container's root as the host sees it; pass to `SystemdBus.systemdPrivate(root:)`.
    var root: String { "/proc/\(pid1)/root" }
    /// The overlay the container boots from; files written here appear inside at once.
    var merged: String { directory + "/merged" }

    /// Why these tests cannot run here, or nil when they can (root and systemd-nspawn present).
    static var unavailableReason: String? {
        if getuid() != 0 {
            return "needs root: boots a real systemd with systemd-nspawn over an overlay mount (run `swift test` as root)"
        }
        return nil
    }

    /// Boots a container named `name`; throws with the script's stderr when it does not boot.
    static func start(name: String) throws -> SystemdSandbox {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("master-agent-sandbox-\(getpid())-\(name)").path
        // The test process's PID makes the script's watchdog clean up even if XCTest crashes.
        let result = try run([script, "start", name, directory, String(getpid())])
        guard result.status == 0, let pid1 = Int32(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw SandboxError(message: "systemd-sandbox start failed (\(result.status)): \(result.stderr)")
        }
        return SystemdSandbox(directory: directory, pid1: pid1)
    }

    private init(directory: String, pid1: Int32) {
        self.directory = directory
        self.pid1 = pid1
    }

    /// Stops the container and removes its overlay; safe to call twice.
    func stop() {
        _ = try? SystemdSandbox.run([SystemdSandbox.script, "stop", directory])
    }

    /// Runs a command inside the container; returns its exit status and output.
    func exec(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try SystemdSandbox.run([SystemdSandbox.script, "exec", directory] + arguments)
    }

    /// Writes a file into the container (through the overlay), creating parent directories.
    func write(_ path: String, _ contents: String, executable: Bool = false) throws {
        let url = URL(fileURLWithPath: merged + path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try contents.write(to: url, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: url.path)
    }

    private static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        // stderr goes to a file so a chatty command cannot block on a full pipe we are not reading.
        let errPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("systemd-sandbox-\(getpid())-\(UUID().uuidString).err").path
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        defer { try? errHandle.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = errHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stderrData = FileManager.default.contents(atPath: errPath) ?? Data()
        return (process.terminationStatus, String(decoding: stdoutData, as: UTF8.self), String(decoding: stderrData, as: UTF8.self))
    }
}

/// A sandbox that could not be started.
struct SandboxError: Error, CustomStringConvertible {
    /// What the script said.
    let message: String
    /// The message.
    var description: String { message }
}
