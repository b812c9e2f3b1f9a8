import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// What a real systemd (nspawn container) reads from the units we render: `systemd-analyze verify` passes,
/// and the ExecStart path and argv systemd loads, and the argv the started process receives, are exactly
/// the configured values, whatever spaces, quotes, backslashes, `%` and `$` they hold.
final class UnitQuotingInSystemdTests: XCTestCase {
    private static let shared = SystemdSandbox.PerClass(name: "ma-quoting-\(getpid())")
    private var sandbox: SystemdSandbox!

    // Under /var/lib, not /run: the host reads it through the overlay (the container's /run is its own tmpfs).
    private static let recordDirectory = "/var/lib/quoting-test"

    override class func tearDown() {
        shared.stop()
        super.tearDown()
    }

    override func setUpWithError() throws {
        sandbox = try Self.shared.sandbox()
        try sandbox.copy(TestSupport.binary.path, to: "/usr/local/sbin/master-agent")
        // Each test starts from no kubelet unit and no recorded argv.
        _ = try sandbox.exec(["systemctl", "stop", "kubelet.service", "quoting-table.service"])
        for path in [
            "/etc/systemd/system/kubelet.service", "/etc/systemd/system/quoting-table.service", Self.recordDirectory,
        ] {
            try? FileManager.default.removeItem(atPath: sandbox.merged + path)
        }
        try FileManager.default.createDirectory(
            atPath: sandbox.merged + Self.recordDirectory, withIntermediateDirectories: true)
        _ = try sandbox.exec(["systemctl", "daemon-reload"])
        _ = try sandbox.exec(["systemctl", "reset-failed"])
    }

    /// A shell script at `path` that writes its arguments, each ended by NUL, to `record`, then runs `then`.
    private func installRecorder(at path: String, record: String, then: String = "") throws {
        try sandbox.write(
            path,
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\0' \"$a\"; done > \(record).part\n"
                + "mv \(record).part \(record)\n\(then)\n", executable: true)
    }

    /// The arguments recorded at `record` (inside the container), waiting up to 20 s for the file.
    private func recordedArguments(_ record: String) throws -> [String] {
        let deadline = Date().addingTimeInterval(20)
        let path = sandbox.merged + record
        while !FileManager.default.fileExists(atPath: path) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var fields = data.split(separator: 0, omittingEmptySubsequences: false).map {
            String(decoding: $0, as: UTF8.self)
        }
        XCTAssertEqual(fields.last, "", "every argument ends with NUL")
        fields.removeLast()
        return fields
    }

    /// `systemd-analyze verify` on `unitPath` inside the container; fails the test with its output unless it passes.
    private func assertVerifies(_ unitPath: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let verify = try sandbox.exec(["systemd-analyze", "verify", unitPath])
        XCTAssertEqual(
            verify.status, 0, "systemd-analyze verify \(unitPath):\n\(verify.stdout)\(verify.stderr)", file: file,
            line: line)
        XCTAssertFalse(
            (verify.stdout + verify.stderr).contains((unitPath as NSString).lastPathComponent),
            "verify complained:\n\(verify.stdout)\(verify.stderr)", file: file, line: line)
    }

    /// ExecStart of `unit` as systemd loaded it (Service.ExecStart over D-Bus): the path and the argv.
    private func loadedExecStart(_ unit: String) throws -> (path: String, argv: [String]) {
        let object = "/org/freedesktop/systemd1/unit/" + unit.replacingOccurrences(of: ".", with: "_2e")
        let result = try sandbox.exec([
            "busctl", "get-property", "--json=short", "org.freedesktop.systemd1", object,
            "org.freedesktop.systemd1.Service", "ExecStart",
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let commands = try XCTUnwrap(json["data"] as? [[Any]], result.stdout)
        XCTAssertEqual(commands.count, 1, result.stdout)
        let command = try XCTUnwrap(commands.first)
        return (try XCTUnwrap(command[0] as? String), try XCTUnwrap(command[1] as? [String]))
    }

    /// The seed config with the kubelet section's fields replaced, written to /etc/master-agent/cluster.yaml.
    private func writeConfig(binary: String, manifestDir: String, unitRequires: [String]) throws {
        let list = "[" + unitRequires.joined(separator: ", ") + "]"
        let text = try TestSupport.fixtureText("seed-cluster.yaml")
            .replacingOccurrences(of: "  binary: /usr/local/bin/kubelet", with: "  binary: \(Self.yamlQuoted(binary))")
            .replacingOccurrences(
                of: "  manifestDir: /etc/kubernetes/manifests", with: "  manifestDir: \(Self.yamlQuoted(manifestDir))"
            )
            .replacingOccurrences(
                of: "  housekeepingInterval: 60s", with: "  housekeepingInterval: 60s\n  unitRequires: \(list)")
        try sandbox.write("/etc/master-agent/cluster.yaml", text)
    }

    private static func yamlQuoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The kubelet's arguments for the seed config with `manifestDir`, in the document's order.
    private static func seedArguments(manifestDir: String) -> [String] {
        [
            "--api-servers=http://127.0.0.1:8080", "--register-schedulable=false", "--register-node=true",
            "--allow-privileged=true",
            "--config=\(manifestDir)", "--cluster-dns=10.3.0.2", "--cluster-domain=cluster.local",
            "--housekeeping-interval=60s",
        ]
    }

    private func render() throws {
        let result = try sandbox.exec(["/usr/local/sbin/master-agent", "render", "--node", "master01"])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
    }

    func testSeedUnitPassesVerifyAndSystemdLoadsTheDocumentsCommandLine() throws {
        // The seed's Requires=networking.service exists on Debian 12 only with ifupdown; a stand-in satisfies verify.
        try sandbox.write("/etc/systemd/system/networking.service", "[Service]\nType=oneshot\nExecStart=/bin/true\n")
        addTeardownBlock { [sandbox] in
            try? FileManager.default.removeItem(atPath: sandbox!.merged + "/etc/systemd/system/networking.service")
        }
        try installRecorder(at: "/usr/local/bin/kubelet", record: Self.recordDirectory + "/seed.argv")
        try writeConfig(
            binary: "/usr/local/bin/kubelet", manifestDir: "/etc/kubernetes/manifests",
            unitRequires: ["networking.service"])
        try render()
        let unit = try String(contentsOfFile: sandbox.merged + "/etc/systemd/system/kubelet.service", encoding: .utf8)
        XCTAssertFalse(unit.contains("\""), "the seed needs no quoting:\n\(unit)")

        try assertVerifies("/etc/systemd/system/kubelet.service")
        _ = try sandbox.exec(["systemctl", "daemon-reload"])
        let loaded = try loadedExecStart("kubelet.service")
        XCTAssertEqual(loaded.path, "/usr/local/bin/kubelet")
        XCTAssertEqual(
            loaded.argv, ["/usr/local/bin/kubelet"] + Self.seedArguments(manifestDir: "/etc/kubernetes/manifests"))
    }

    func testSpacesPercentDollarQuotesAndBackslashesReachTheKubeletExactly() throws {
        // Quotes and backslashes are refused by systemd in an executable path (and by our validation), so the
        // binary carries the rest: spaces, %, $NAME and ${NAME}.
        let binary = "/opt/kube bin/100% $HOME ${HOME}/kubelet"
        let manifestDir =
            "/etc/kube manifests%n/%% $HOME ${HOME} $$ 'single' \"double\" back\\slash trail\\ #hash ;semi"
        try installRecorder(at: binary, record: Self.recordDirectory + "/kubelet.argv", then: "exec sleep infinity")
        try writeConfig(binary: binary, manifestDir: manifestDir, unitRequires: [])
        try render()
        XCTAssertTrue(FileManager.default.fileExists(atPath: sandbox.merged + manifestDir + "/kube-apiserver.yaml"))

        try assertVerifies("/etc/systemd/system/kubelet.service")
        _ = try sandbox.exec(["systemctl", "daemon-reload"])
        let arguments = Self.seedArguments(manifestDir: manifestDir)
        let loaded = try loadedExecStart("kubelet.service")
        XCTAssertEqual(loaded.path, binary, "the path systemd executes")
        // systemd keeps argv as written and turns $$ into $ only when it starts the process.
        XCTAssertEqual(loaded.argv, ([binary] + arguments).map { $0.replacingOccurrences(of: "$", with: "$$") })
        let show = try sandbox.exec(["systemctl", "show", "-p", "ExecStart", "kubelet.service"]).stdout
        XCTAssertTrue(show.contains("path=\(binary) ;"), show)

        let start = try sandbox.exec(["systemctl", "start", "kubelet.service"])
        XCTAssertEqual(start.status, 0, start.stderr)
        XCTAssertEqual(
            try recordedArguments(Self.recordDirectory + "/kubelet.argv"), arguments, "the argv the kubelet received")
        XCTAssertEqual(try sandbox.exec(["systemctl", "is-active", "kubelet.service"]).stdout, "active\n")
    }

    func testEveryQuotingCaseRoundTripsThroughSystemd() throws {
        // The table of SystemdQuotingTests, control characters included (the config rejects those, the
        // quoting still handles them), run by systemd with X and HOME set so any expansion would show.
        let arguments = [
            "plain", "", "a b", " lead", "trail ", "a\tb", "a\nb", "a\rb", "a\"b", "a'b", "a\\b", "trailing\\",
            "\\;", "%n", "100%", "%%", "$", "$HOME", "${HOME}", "$X", "${X}", "a$$b", "#x", ";", ";x", "x#y",
            "\u{1}", "\u{1B}[31m", "\u{7F}", "\u{85}", "\u{9F}", "\u{7}\u{8}\u{B}\u{C}", "ünï✓😀", "non\u{A0}breaking",
            "--config=/etc/kube manifests%n",
        ]
        let record = Self.recordDirectory + "/table.argv"
        try installRecorder(at: "/opt/quoting/record", record: record)
        let unit = SystemdUnit(sections: [
            .init(name: "Unit", entries: [("Description", "quoting table")]),
            .init(
                name: "Service",
                entries: [
                    ("Type", "oneshot"),
                    ("Environment", "X=expanded HOME=/expanded"),
                    ("ExecStart", SystemdUnit.execStart("/opt/quoting/record", arguments: arguments)),
                ]),
        ])
        try sandbox.write("/etc/systemd/system/quoting-table.service", unit.render())
        try assertVerifies("/etc/systemd/system/quoting-table.service")
        _ = try sandbox.exec(["systemctl", "daemon-reload"])
        let start = try sandbox.exec(["systemctl", "start", "quoting-table.service"])
        XCTAssertEqual(start.status, 0, start.stderr + unit.render())
        let received = try recordedArguments(record)
        XCTAssertEqual(received.count, arguments.count, "\(received)")
        for (index, (got, want)) in zip(received, arguments).enumerated() {
            XCTAssertEqual(got, want, "argument \(index): wrote \(SystemdSyntax.execArgument(want))")
        }
    }
}
