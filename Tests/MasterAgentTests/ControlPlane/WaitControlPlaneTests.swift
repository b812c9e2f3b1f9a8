import Foundation
import Logging
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime

/// The wait-control-plane step against stand-in components on loopback ports chosen through the rendered manifests
/// of a test config, and each cause it names produced by its evidence: a port held by this test process, an API
/// double whose certificate lacks the dialled address, one whose etcd is gone, and one answering 401 and 403.
final class WaitControlPlaneTests: XCTestCase {
    private var certs: CurlTestCertificates!
    private var cleanups: [() -> Void] = []

    override func setUpWithError() throws {
        certs = try CurlTestCertificates()
    }

    override func tearDown() {
        cleanups.reversed().forEach { $0() }
        certs.remove()
        super.tearDown()
    }

    // MARK: - Fixtures

    private func modernConfig(localURL: String, timeout: String) throws -> ClusterConfig {
        let text = try TestSupport.fixtureText("modern-cluster.yaml").replacingOccurrences(
            of: "\napiServer:\n", with: "\napiServer:\n  localURL: \(localURL)\n  waitTimeout: \(timeout)\n")
        return try ConfigLoader.load(yaml: text, file: "modern-cluster.yaml")
    }

    /// The test config's rendered manifests and kubelet configuration, with each component's health address moved
    /// to `addresses` (what an operator's own ports would look like), written where the kubelet reads them.
    static func renderedFiles(_ config: ClusterConfig, _ addresses: [String: (host: String, port: Int)]) throws
        -> InMemoryFileStore
    {
        let files = InMemoryFileStore()
        for var pod in ModernProfile().staticPods(config: config, node: config.masters[0]) {
            if let address = addresses[pod.metadata.name] { pod = HealthStandIn.probed(pod, at: address) }
            try files.writeAtomically(
                "\(config.kubelet.manifestDir)/\(pod.metadata.name).yaml", data: Data(ManifestRenderer.yaml(pod).utf8),
                mode: 0o600)
        }
        var kubelet = KubeletConfiguration(config)
        if let address = addresses["kubelet"] {
            kubelet.healthzBindAddress = address.host
            kubelet.healthzPort = address.port
        }
        try files.writeAtomically(
            ModernLayout.kubeletConfig, data: Data(try ManifestRenderer.yaml(encoding: kubelet).utf8), mode: 0o600)
        return files
    }

    private func context(_ config: ClusterConfig, files: FileStore, apiTLS: HTTPTLSConfig) -> BootstrapContext {
        BootstrapContext(
            config: config, node: config.masters[0], files: files, dryRun: false,
            logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }), clock: SystemClock(),
            random: FixedRandom(0.5), makeAPITransport: { try HTTPClient(tls: apiTLS, userAgent: "wait-cp-tests") })
    }

    private func step() -> WaitControlPlaneStep {
        WaitControlPlaneStep(
            makeLoopbackTransport: {
                try HTTPClient(tls: HTTPTLSConfig(insecureSkipTLSVerify: true), userAgent: "wait-cp-tests")
            }, listeners: ProcNetListeners(), certificates: ServedCertificateReader())
    }

    /// Healthy kubelet, controller manager, scheduler and kube-proxy stand-ins, on 127.0.0.1, .2, .3 and .4.
    private func healthyOthers(
        kubeletAfter: Double = 0, kcmAfter: Double = 0, schedulerAfter: Double = 0, proxyAfter: Double = 0
    )
        throws -> [String: (host: String, port: Int)]
    {
        let standIn = try HealthStandIn(
            [
                "http:127.0.0.1:\(kubeletAfter)", "https:127.0.0.2:\(kcmAfter)", "https:127.0.0.3:\(schedulerAfter)",
                "http:127.0.0.4:\(proxyAfter)",
            ], cert: certs.cert("server"), key: certs.key("server"))
        cleanups.append(standIn.stop)
        return [
            "kubelet": ("127.0.0.1", standIn.ports[0]), "kube-controller-manager": ("127.0.0.2", standIn.ports[1]),
            "kube-scheduler": ("127.0.0.3", standIn.ports[2]), "kube-proxy": ("127.0.0.4", standIn.ports[3]),
        ]
    }

    private func apiDouble(_ arguments: [String], cert: String = "server") throws -> CurlDoubleProcess {
        let api = try CurlDoubleProcess(["--tls-cert", certs.cert(cert), "--tls-key", certs.key(cert)] + arguments)
        cleanups.append(api.stop)
        return api
    }

    /// Runs the step expecting the deadline; returns the report it carries.
    private func failedReport(
        _ config: ClusterConfig, _ addresses: [String: (host: String, port: Int)], apiTLS: HTTPTLSConfig? = nil,
        exit: ExitStatus = .apiTimeout
    ) throws -> ControlPlaneReport {
        let ctx = context(
            config, files: try Self.renderedFiles(config, addresses),
            apiTLS: apiTLS ?? HTTPTLSConfig(caFile: certs.cert("ca")))
        do {
            _ = try step().run(ctx)
        } catch let error as ControlPlaneWaitError {
            XCTAssertEqual(error.exitStatus, exit)
            XCTAssertTrue(error.description.contains("Why:\n  - "), error.description)
            return error.report
        }
        XCTFail("the step did not reach its deadline")
        return ControlPlaneReport(components: [], secondsTotal: 0, causes: [])
    }

    // MARK: - Happy path

    func testEveryComponentIsAskedWhereItsManifestSaysAndTimedOnItsOwn() throws {
        var addresses = try healthyOthers(kubeletAfter: 0.1, kcmAfter: 0.6, schedulerAfter: 1.2, proxyAfter: 0.1)
        let api = try apiDouble(["--unready-for", "0.3"])
        addresses["kube-apiserver"] = nil
        let config = try modernConfig(localURL: api.baseURL, timeout: "10s")
        let started = Date()
        let outcome = try step().run(
            context(
                config, files: try Self.renderedFiles(config, addresses),
                apiTLS: HTTPTLSConfig(caFile: certs.cert("ca"))))
        XCTAssertLessThan(Date().timeIntervalSince(started), 4)
        XCTAssertEqual(outcome.status, .done, outcome.message)
        let report = try XCTUnwrap(outcome.controlPlane)
        let byName = Dictionary(uniqueKeysWithValues: report.components.map { ($0.component, $0) })
        XCTAssertEqual(
            Set(byName.keys), ["kubelet", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kube-proxy"])
        XCTAssertEqual(byName["kubelet"]?.urls, ["http://127.0.0.1:\(addresses["kubelet"]!.port)/healthz"])
        XCTAssertEqual(
            byName["kube-controller-manager"]?.urls,
            ["https://127.0.0.2:\(addresses["kube-controller-manager"]!.port)/healthz"])
        XCTAssertEqual(byName["kube-scheduler"]?.urls, ["https://127.0.0.3:\(addresses["kube-scheduler"]!.port)/livez"])
        XCTAssertEqual(byName["kube-proxy"]?.urls, ["http://127.0.0.4:\(addresses["kube-proxy"]!.port)/livez"])
        XCTAssertEqual(byName["kube-apiserver"]?.urls, [api.baseURL + "/livez", api.baseURL + "/readyz"])
        XCTAssertTrue(report.components.allSatisfy(\.healthy))
        let kubelet = try XCTUnwrap(byName["kubelet"]?.secondsToHealthy)
        let kcm = try XCTUnwrap(byName["kube-controller-manager"]?.secondsToHealthy)
        let scheduler = try XCTUnwrap(byName["kube-scheduler"]?.secondsToHealthy)
        XCTAssertLessThan(kubelet, kcm)
        XCTAssertLessThan(kcm, scheduler)
        XCTAssertGreaterThan(scheduler - kubelet, 0.5, "the scheduler's own time, not the kubelet's")
        XCTAssertGreaterThan(byName["kube-scheduler"]!.attempts, 2)
        XCTAssertTrue(outcome.message.hasPrefix("healthy after "), outcome.message)
        // The JSON of the outcome carries each component's seconds.
        let json = String(decoding: try JSONEncoder().encode(outcome), as: UTF8.self)
        XCTAssertTrue(json.contains("\"secondsToHealthy\""), json)
    }

    // MARK: - Causes from evidence

    func testPortHeldByAnotherProcessIsNamedWithItsPid() throws {
        var addresses = try healthyOthers()
        let held = try ListeningSocket(host: "127.0.0.3")
        defer { held.close() }
        addresses["kube-scheduler"] = ("127.0.0.3", held.port)
        let api = try apiDouble([])
        let report = try failedReport(try modernConfig(localURL: api.baseURL, timeout: "1s"), addresses)
        let cause = try XCTUnwrap(report.causes.first { $0.cause == .portInUse }, "\(report.causes)")
        XCTAssertEqual(cause.component, "kube-scheduler")
        XCTAssertTrue(cause.detail.contains("port \(held.port) is held by"), cause.detail)
        XCTAssertTrue(cause.detail.contains("(pid \(getpid()))"), cause.detail)
        XCTAssertEqual(report.components.filter { !$0.healthy }.map(\.component), ["kube-scheduler"])
    }

    func testCertificateWithoutTheDialledAddressNamesWhatItHas() throws {
        try certs.makeLeaf(
            "no-loopback", subject: "/CN=kube-apiserver", ca: "ca",
            extensions: "subjectAltName=DNS:kubernetes,IP:10.3.0.1\nextendedKeyUsage=serverAuth\n")
        let addresses = try healthyOthers()
        let api = try apiDouble([], cert: "no-loopback")
        let started = Date()
        // A certificate does not change by waiting: the step gives up long before its 60 s.
        let report = try failedReport(
            try modernConfig(localURL: api.baseURL, timeout: "60s"), addresses, exit: .failure)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        let cause = try XCTUnwrap(report.causes.first { $0.cause == .apiServerCertificateName }, "\(report)")
        XCTAssertEqual(cause.component, "kube-apiserver")
        XCTAssertTrue(
            cause.detail.contains("does not name 127.0.0.1 (it names DNS:kubernetes, IP:10.3.0.1)"), cause.detail)
        XCTAssertTrue(cause.nextStep.contains("IP 127.0.0.1 to pki.extraSANs"), cause.nextStep)
    }

    func testEtcdFailingInReadyzIsNamed() throws {
        let addresses = try healthyOthers()
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-state-\(UUID()).sock").path
        let api = try apiDouble(["--state-connect", missing])
        let report = try failedReport(try modernConfig(localURL: api.baseURL, timeout: "1s"), addresses)
        let cause = try XCTUnwrap(report.causes.first { $0.cause == .etcdUnavailable }, "\(report)")
        XCTAssertTrue(cause.detail.contains("its etcd check fails"), cause.detail)
    }

    func testUnauthorizedCredentialsAreNamed() throws {
        let addresses = try healthyOthers()
        let api = try apiDouble(["--require-auth", "--token", "the-right-one"])
        let token = certs.directory.appendingPathComponent("wrong-token").path
        try "not-the-right-one\n".write(toFile: token, atomically: true, encoding: .utf8)
        let started = Date()
        let report = try failedReport(
            try modernConfig(localURL: api.baseURL, timeout: "60s"), addresses,
            apiTLS: HTTPTLSConfig(caFile: certs.cert("ca"), bearerTokenFile: token), exit: .failure)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "a 401 does not change by waiting")
        let cause = try XCTUnwrap(report.causes.first { $0.cause == .credentialsRejected }, "\(report.causes)")
        XCTAssertTrue(cause.detail.contains("answered 401 Unauthorized"), cause.detail)
    }

    func testForbiddenHealthPathIsNamed() throws {
        let addresses = try healthyOthers()
        let api = try apiDouble(["--fault", #"{"path": "/livez", "action": "status", "status": 403}"#])
        let report = try failedReport(try modernConfig(localURL: api.baseURL, timeout: "1s"), addresses)
        let cause = try XCTUnwrap(report.causes.first { $0.cause == .credentialsRejected }, "\(report.causes)")
        XCTAssertEqual(cause.component, "kube-apiserver")
        XCTAssertTrue(cause.detail.contains("answered 403 Forbidden"), cause.detail)
    }

    func testBootstrapSkipsWaitAPIUnderModernAndPutsTheCausesInTheJSON() throws {
        var addresses = try healthyOthers()
        let closed = try ListeningSocket(host: "127.0.0.1")
        closed.close()
        addresses["kubelet"] = ("127.0.0.1", closed.port)
        let api = try apiDouble([])
        let config = try modernConfig(localURL: api.baseURL, timeout: "1s")
        let ctx = context(
            config, files: try Self.renderedFiles(config, addresses), apiTLS: HTTPTLSConfig(caFile: certs.cert("ca")))
        let bootstrapper = Bootstrapper(
            runners: [.waitAPI: WaitAPIStep(probe: SystemTCPProbe()), .waitControlPlane: step()],
            now: { SystemClock().now() })
        let summary = bootstrapper.run([.waitAPI, .waitControlPlane], context: ctx, prior: []) { _ in }
        XCTAssertEqual(summary.exitStatus, .apiTimeout)
        XCTAssertEqual(summary.outcomes.map(\.status), [.skipped, .failed])
        XCTAssertTrue(summary.outcomes[0].message.contains("wait-control-plane waits for the API server"))
        XCTAssertTrue(summary.outcomes[1].message.contains("kubelet did not answer ok"), summary.outcomes[1].message)
        let json = try XCTUnwrap(
            JSONSerialization.jsonObject(with: try JSONEncoder().encode(summary.outcomes[1])) as? [String: Any])
        let report = try XCTUnwrap(json["controlPlane"] as? [String: Any])
        let causes = try XCTUnwrap(report["causes"] as? [[String: Any]])
        // No systemd here: the kubelet's last answer is the evidence.
        XCTAssertEqual(causes.first?["cause"] as? String, "not-healthy", "\(causes)")
        XCTAssertEqual(causes.first?["component"] as? String, "kubelet")
        let components = try XCTUnwrap(report["components"] as? [[String: Any]])
        XCTAssertEqual(components.filter { $0["secondsToHealthy"] != nil }.count, 4, "\(components)")
    }

    func testLegacyProfileSkipsWithTheReason() throws {
        let config = try TestSupport.seedConfig()
        let outcome = try step().run(context(config, files: InMemoryFileStore(), apiTLS: HTTPTLSConfig()))
        XCTAssertEqual(outcome.status, .skipped)
        XCTAssertTrue(outcome.message.contains("waits with wait-api"), outcome.message)
    }

    func testMissingManifestIsAnErrorNamingIt() throws {
        let config = try modernConfig(localURL: "https://127.0.0.1:6443", timeout: "1s")
        XCTAssertThrowsError(try step().run(context(config, files: InMemoryFileStore(), apiTLS: HTTPTLSConfig()))) {
            XCTAssertTrue("\($0)".contains("kube-apiserver.yaml"), "\($0)")
        }
    }
}

/// A TCP socket listening on `host` and a free port that never accepts: a port another process took.
final class ListeningSocket {
    let port: Int
    private var descriptor: Int32

    init(host: String) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, host, &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 8) == 0 else {
            throw NSError(domain: "ListeningSocket", code: Int(errno))
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        descriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() {
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
        descriptor = -1
    }
}
