import Foundation
import XCTest

/// A real systemd booted with systemd-nspawn by Tests/Support/systemd-sandbox; a test class shares one (PerClass)
/// or boots one per test.
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
            return
                "needs root: boots a real systemd with systemd-nspawn over an overlay mount (run `swift test` as root)"
        }
        return nil
    }

    /// Boots a container named `name`; throws with the script's stderr when it does not boot within `timeout` seconds.
    static func start(name: String, timeout: TimeInterval = 120) throws -> SystemdSandbox {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("master-agent-sandbox-\(getpid())-\(name)").path
        let existed = FileManager.default.fileExists(atPath: directory)
        // The test process's PID makes the script's watchdog clean up even if XCTest crashes.
        let result = try run(["start", name, directory, String(getpid())], timeout: timeout)
        guard result.status == 0, let pid1 = Int32(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            // A start killed at the timeout never ran its own clean-up (nor started the watchdog); a directory
            // that was there before is not this call's to remove.
            if !existed { _ = try? run(["stop", directory], timeout: stopTimeout) }
            throw SandboxError(message: "systemd-sandbox start failed (\(result.status)): \(result.stderr)")
        }
        return SystemdSandbox(directory: directory, pid1: pid1)
    }

    private init(directory: String, pid1: Int32) {
        self.directory = directory
        self.pid1 = pid1
    }

    // The script's stop waits up to ~25 s for nspawn and the unmount; this bounds a stuck one.
    private static let stopTimeout: TimeInterval = 120

    /// Stops the container and removes its overlay; safe to call twice.
    func stop() {
        _ = try? SystemdSandbox.run(["stop", directory], timeout: SystemdSandbox.stopTimeout)
    }

    /// Runs a command inside the container (killed after `timeout` seconds); returns its exit status and output.
    func exec(_ arguments: [String], timeout: TimeInterval = 300) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        try SystemdSandbox.run(["exec", directory] + arguments, timeout: timeout)
    }

    /// Copies the host file at `hostPath` to `path` in the container (through the overlay), replacing any file
    /// there; throws when the copy fails.
    func copy(_ hostPath: String, to path: String) throws {
        let target = merged + path
        try FileManager.default.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.copyItem(atPath: hostPath, toPath: target)
    }

    /// Writes a file into the container (through the overlay), creating parent directories.
    func write(_ path: String, _ contents: String, executable: Bool = false) throws {
        let url = URL(fileURLWithPath: merged + path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try contents.write(to: url, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: url.path)
    }

    private static func run(_ arguments: [String], timeout: TimeInterval) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        let result = try TestSupport.run(URL(fileURLWithPath: "/bin/bash"), [script] + arguments, timeout: timeout)
        return (result.status, result.stdout, result.stderr)
    }
}

extension SystemdSandbox {
    /// One sandbox for a whole test class: booted by the first test that asks for it, stopped by the class's
    /// `tearDown`. The boot's outcome is kept, so after a failed boot every test fails with the same error.
    final class PerClass {
        private let name: String
        private var booted: Result<SystemdSandbox, Error>?

        /// A sandbox to be named `name` (letters, digits, dashes), not booted yet.
        init(name: String) {
            self.name = name
        }

        /// The booted sandbox, booting it on first use; throws XCTSkip without root, or the boot's error.
        func sandbox() throws -> SystemdSandbox {
            if let reason = SystemdSandbox.unavailableReason { throw XCTSkip(reason) }
            if booted == nil { booted = Result { try SystemdSandbox.start(name: name) } }
            return try booted!.get()
        }

        /// Stops the sandbox if it was booted; call from `override class func tearDown()`.
        func stop() {
            if case .success(let sandbox) = booted { sandbox.stop() }
            booted = nil
        }
    }
}

/// A sandbox that could not be started.
struct SandboxError: Error, CustomStringConvertible {
    /// What the script said.
    let message: String
    /// The message.
    var description: String { message }
}
