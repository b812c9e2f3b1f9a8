import Foundation
import Logging
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime

/// wait-control-plane's kubelet evidence from a real systemd (nspawn sandbox): stand-in kubelet units that log
/// what real kubelets log when the runtime is gone, the cgroup drivers differ or an image cannot be pulled, read
/// over D-Bus (unit state, NRestarts) and from the container's journal when the deadline passes.
final class WaitControlPlaneSystemdTests: XCTestCase {
    private static let shared = SystemdSandbox.PerClass(name: "ma-waitcp-\(getpid())")
    private var sandbox: SystemdSandbox!
    private var certs: CurlTestCertificates!
    private var cleanups: [() -> Void] = []

    override class func tearDown() {
        shared.stop()
        super.tearDown()
    }

    override func setUpWithError() throws {
        sandbox = try Self.shared.sandbox()
        certs = try CurlTestCertificates()
    }

    override func tearDown() {
        cleanups.reversed().forEach { $0() }
        certs?.remove()
        super.tearDown()
    }

    /// The container's journal, as `SystemdJournal` reads the local one.
    private struct SandboxJournal: UnitJournal {
        let root: String
        func lastLines(unit: String, count: Int) -> [String] {
            (try? JournalReader(root: root).lastLines(unit: unit, count: count)) ?? []
        }
    }

    /// Installs and starts `unit`, a stand-in kubelet that writes `line` to stderr, then exits (`restart` says
    /// whether systemd restarts it) or keeps running; waits until the line is in the journal.
    private func startStandIn(_ unit: String, line: String, exits: Bool, restart: Bool) throws -> UnitManager {
        try sandbox.write("/usr/local/share/standin/\(unit).line", line + "\n")
        try sandbox.write(
            "/usr/local/bin/\(unit)",
            "#!/bin/sh\ncat /usr/local/share/standin/\(unit).line >&2\n\(exits ? "exit 1" : "exec sleep infinity")\n",
            executable: true)
        try sandbox.write(
            "/etc/systemd/system/\(unit)",
            """
            [Unit]
            StartLimitIntervalSec=0
            [Service]
            ExecStart=/usr/local/bin/\(unit)
            Restart=\(restart ? "always" : "no")
            RestartSec=200ms

            """)
        let manager = try SystemdManager(bus: SystemdBus.systemBus(root: sandbox.root))
        let units = SystemdUnitManager(manager: manager)
        try units.reload()
        _ = try units.run(.start, unit, timeout: 20)
        cleanups.append { _ = try? units.run(.stop, unit, timeout: 20) }
        let marker = String(line.prefix(40))
        waitUntil(timeout: 10, "the stand-in's line in the journal") {
            SandboxJournal(root: sandbox.root).lastLines(unit: unit, count: 20).contains { $0.contains(marker) }
        }
        return units
    }

    /// Runs the step with `unit` as the kubelet (its healthz port closed, every other component healthy) and
    /// returns the causes it gave at the deadline.
    private func causes(unit: String, units: UnitManager) throws -> [ControlPlaneDiagnosis] {
        let standIn = try HealthStandIn(
            ["https:127.0.0.2:0", "https:127.0.0.3:0", "http:127.0.0.4:0"], cert: certs.cert("server"),
            key: certs.key("server"))
        cleanups.append(standIn.stop)
        let api = try CurlDoubleProcess(["--tls-cert", certs.cert("server"), "--tls-key", certs.key("server")])
        cleanups.append(api.stop)
        let closed = try ListeningSocket(host: "127.0.0.1")
        closed.close()
        let text = try TestSupport.fixtureText("modern-cluster.yaml")
            .replacingOccurrences(
                of: "\napiServer:\n", with: "\napiServer:\n  localURL: \(api.baseURL)\n  waitTimeout: 1s\n"
            )
            .replacingOccurrences(
                of: "  binary: /usr/bin/kubelet\n",
                with: "  binary: /usr/bin/kubelet\n  unitPath: /etc/systemd/system/\(unit)\n")
        let config = try ConfigLoader.load(yaml: text, file: "modern-cluster.yaml")
        let files = try WaitControlPlaneTests.renderedFiles(
            config,
            [
                "kubelet": ("127.0.0.1", closed.port), "kube-controller-manager": ("127.0.0.2", standIn.ports[0]),
                "kube-scheduler": ("127.0.0.3", standIn.ports[1]), "kube-proxy": ("127.0.0.4", standIn.ports[2]),
            ])
        let context = BootstrapContext(
            config: config, node: config.masters[0], files: files, dryRun: false,
            logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }), clock: SystemClock(),
            random: FixedRandom(0.5),
            makeAPITransport: { try HTTPClient(tls: HTTPTLSConfig(caFile: self.certs.cert("ca")), userAgent: "t") })
        context.units = units
        context.journal = SandboxJournal(root: sandbox.root)
        let step = WaitControlPlaneStep(
            makeLoopbackTransport: { try HTTPClient(tls: HTTPTLSConfig(insecureSkipTLSVerify: true), userAgent: "t") },
            listeners: ProcNetListeners(), certificates: ServedCertificateReader())
        do {
            _ = try step.run(context)
        } catch let error as ControlPlaneWaitError {
            XCTAssertEqual(error.report.components.filter { !$0.healthy }.map(\.component), ["kubelet"])
            return error.report.causes
        }
        XCTFail("the step did not reach its deadline")
        return []
    }

    func testRestartingKubeletThatCannotReachContainerd() throws {
        let unit = "standin-kubelet-cri.service"
        let units = try startStandIn(unit, line: StallDiagnosisTests.runtimeLine, exits: true, restart: true)
        let found = try causes(unit: unit, units: units)
        XCTAssertEqual(found.map(\.cause), [.kubeletRestarting, .containerRuntimeUnreachable], "\(found)")
        XCTAssertTrue(found[1].detail.contains("validate CRI v1 runtime API"), found[1].detail)
        XCTAssertTrue(found[0].line.contains("restarted"), found[0].line)
    }

    func testStoppedKubeletWithCgroupDriverMismatch() throws {
        let unit = "standin-kubelet-cgroup.service"
        let units = try startStandIn(unit, line: StallDiagnosisTests.cgroupLine, exits: true, restart: false)
        let found = try causes(unit: unit, units: units)
        XCTAssertEqual(found.map(\.cause), [.kubeletNotRunning, .cgroupDriverMismatch], "\(found)")
        XCTAssertTrue(found[0].detail.contains("is failed (failed, result exit-code"), found[0].detail)
        XCTAssertTrue(found[0].detail.contains("misconfiguration: kubelet cgroup driver"), found[0].detail)
    }

    func testRunningKubeletThatCannotPullAnImageNamesIt() throws {
        let unit = "standin-kubelet-image.service"
        let units = try startStandIn(unit, line: StallDiagnosisTests.imageLine, exits: false, restart: false)
        let found = try causes(unit: unit, units: units)
        XCTAssertEqual(found.map(\.cause), [.imagePullFailed], "\(found)")
        XCTAssertEqual(found.first?.detail, "cannot pull registry.k8s.io/kube-scheduler:v1.36.9")
    }
}
