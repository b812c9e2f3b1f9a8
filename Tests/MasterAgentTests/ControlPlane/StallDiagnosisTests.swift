import XCTest

@testable import AgentCore
@testable import AgentPlatform

/// The classification rules as a table over evidence, the targets read from manifests, and the /proc/net parser.
final class StallDiagnosisTests: XCTestCase {
    private let scheduler = HealthTarget(
        component: "kube-scheduler", urls: ["https://127.0.0.1:10259/livez"], host: "127.0.0.1", port: 10259,
        access: .loopback, program: "kube-scheduler")
    private let apiServer = HealthTarget(
        component: "kube-apiserver", urls: ["https://127.0.0.1:6443/livez", "https://127.0.0.1:6443/readyz"],
        host: "127.0.0.1", port: 6443, access: .localAPI, program: "kube-apiserver")

    private func refused(_ target: HealthTarget) -> ComponentEvidence {
        ComponentEvidence(
            target: target, healthy: false, url: target.urls[0], status: nil, detail: "connection refused",
            failure: .refused)
    }

    private func kubelet(
        _ journal: [String], active: String = "active", sub: String = "running", restarts: UInt32 = 0
    ) -> KubeletEvidence {
        KubeletEvidence(
            unit: "kubelet.service", activeState: active, subState: sub, result: "success", restarts: restarts,
            journal: journal)
    }

    private func causes(_ kubelet: KubeletEvidence?, _ components: [ComponentEvidence], readyz: String? = nil)
        -> [StallCause]
    {
        StallDiagnosis.classify(ControlPlaneEvidence(kubelet: kubelet, components: components, readyzVerbose: readyz))
            .map(\.cause)
    }

    // Lines as kubelets v1.26-v1.36 write them (klog structured), one per cause.
    static let runtimeLine =
        #"E1206 08:01:02.123456    4242 run.go:72] "command failed" err="failed to run Kubelet: validate service connection: validate CRI v1 runtime API for endpoint \"unix:///run/containerd/containerd.sock\": rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while dialing: dial unix /run/containerd/containerd.sock: connect: no such file or directory\"""#
    static let imageLine =
        #"E1206 08:01:02.123456    4242 log.go:32] "PullImage from image service failed" err="rpc error: code = NotFound desc = failed to pull and unpack image \"registry.k8s.io/kube-scheduler:v1.36.9\": failed to resolve reference \"registry.k8s.io/kube-scheduler:v1.36.9\": registry.k8s.io/kube-scheduler:v1.36.9: not found" image="registry.k8s.io/kube-scheduler:v1.36.9""#
    static let imageSyncLine =
        #"E1206 08:01:03.123456    4242 pod_workers.go:1301] "Error syncing pod, skipping" err="failed to \"StartContainer\" for \"kube-proxy\" with ErrImagePull: \"failed to pull and unpack image \\\"registry.example/kube-proxy:v1.36.2\\\": not found\"" pod="kube-system/kube-proxy-master01""#
    static let cgroupLine =
        #"E1206 08:01:02.123456    4242 run.go:72] "command failed" err="failed to run Kubelet: misconfiguration: kubelet cgroup driver: \"systemd\" is different from docker cgroup driver: \"cgroupfs\"""#
    static let runcCgroupLine =
        #"E1206 08:01:02.123456    4242 log.go:32] "RunPodSandbox from runtime service failed" err="rpc error: code = Unknown desc = failed to create containerd task: failed to create shim task: OCI runtime create failed: expected cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups, got \"/kubepods/burstable/pod1234/abcd\" instead: unknown""#

    func testJournalLinesNameRuntimeImagesAndCgroupDriver() {
        XCTAssertEqual(causes(kubelet([Self.runtimeLine]), [refused(scheduler)]), [.containerRuntimeUnreachable])
        XCTAssertEqual(causes(kubelet([Self.cgroupLine]), [refused(scheduler)]), [.cgroupDriverMismatch])
        XCTAssertEqual(causes(kubelet([Self.runcCgroupLine]), [refused(scheduler)]), [.cgroupDriverMismatch])
        let pull = StallDiagnosis.classify(
            ControlPlaneEvidence(
                kubelet: kubelet(["I... unrelated", Self.imageLine, Self.imageSyncLine, Self.imageLine]),
                components: [refused(scheduler)]))
        XCTAssertEqual(pull.map(\.cause), [.imagePullFailed])
        XCTAssertEqual(
            pull.first?.detail,
            "cannot pull registry.k8s.io/kube-scheduler:v1.36.9, registry.example/kube-proxy:v1.36.2")
    }

    func testImageNameFromEachLineShape() {
        XCTAssertEqual(StallDiagnosis.imageName(in: Self.imageLine), "registry.k8s.io/kube-scheduler:v1.36.9")
        XCTAssertEqual(StallDiagnosis.imageName(in: Self.imageSyncLine), "registry.example/kube-proxy:v1.36.2")
        XCTAssertEqual(
            StallDiagnosis.imageName(in: #""Back-off pulling image \"registry.k8s.io/pause:3.10\"""#),
            "registry.k8s.io/pause:3.10")
        XCTAssertNil(StallDiagnosis.imageName(in: "no image here"))
    }

    func testUnitStatesNameAStoppedOrRestartingKubelet() {
        XCTAssertEqual(
            causes(kubelet(["F... exit"], active: "failed", sub: "failed"), [refused(scheduler)]), [.kubeletNotRunning])
        XCTAssertEqual(causes(kubelet([], active: "inactive", sub: "dead"), [refused(scheduler)]), [.kubeletNotRunning])
        XCTAssertEqual(
            causes(kubelet([], active: "activating", sub: "auto-restart", restarts: 3), []), [.kubeletRestarting])
        // A restart long ago does not matter when the kubelet answers now.
        let healthyKubelet = ComponentEvidence(
            target: HealthTarget(
                component: "kubelet", urls: ["http://127.0.0.1:10248/healthz"], host: "127.0.0.1", port: 10248,
                access: .loopback, program: "kubelet"), healthy: true, url: "", status: 200, detail: "ok", failure: nil)
        XCTAssertEqual(
            causes(kubelet([], restarts: 2), [healthyKubelet, refused(scheduler)]), [.notHealthy])
        let line = StallDiagnosis.classify(
            ControlPlaneEvidence(
                kubelet: kubelet(["kubelet: bad flag"], active: "failed", sub: "failed"), components: []))[0].line
        XCTAssertTrue(line.hasPrefix("kubelet-not-running (kubelet): kubelet.service is failed (failed"), line)
        XCTAssertTrue(line.contains("\"kubelet: bad flag\""), line)
    }

    func testComponentAnswersNameCredentialsCertificateAndEtcd() {
        var answer = ComponentEvidence(
            target: apiServer, healthy: false, url: apiServer.urls[0], status: 401, detail: "Unauthorized",
            failure: nil)
        XCTAssertEqual(causes(nil, [answer]), [.credentialsRejected])
        answer.status = 403
        XCTAssertEqual(causes(nil, [answer]), [.credentialsRejected])
        answer.status = nil
        answer.failure = .tls
        answer.detail =
            "TLS failed (curl 60: SSL: no alternative certificate subject name matches target host name '127.0.0.1')"
        answer.servedNames = ["DNS:kubernetes", "IP:10.3.0.1"]
        let san = StallDiagnosis.classify(ControlPlaneEvidence(kubelet: nil, components: [answer]))
        XCTAssertEqual(san.map(\.cause), [.apiServerCertificateName])
        XCTAssertTrue(san[0].detail.contains("(it names DNS:kubernetes, IP:10.3.0.1)"), san[0].detail)
        // An untrusted CA is not a missing name.
        answer.detail = "TLS failed (curl 60: SSL certificate problem: unable to get local issuer certificate)"
        XCTAssertEqual(causes(nil, [answer]), [.notHealthy])
        answer.failure = nil
        answer.status = 500
        answer.detail = "[+]ping ok\n[-]informer-sync failed: reason withheld\nreadyz check failed"
        XCTAssertEqual(causes(nil, [answer]), [.notHealthy], "a server still starting is not an etcd problem")
        XCTAssertEqual(
            causes(
                nil, [answer],
                readyz: "[+]ping ok\n[-]etcd failed: reason withheld\n[-]etcd-readiness failed: reason withheld"),
            [.etcdUnavailable])
    }

    func testForeignListenerIsNamedButTheComponentItselfIsNot() {
        var held = ComponentEvidence(
            target: scheduler, healthy: false, url: scheduler.urls[0], status: nil, detail: "timed out",
            failure: .timeout)
        held.listener = PortListener(port: 10259, pid: 4242, program: "nginx", commandLine: "nginx: master process")
        let found = StallDiagnosis.classify(ControlPlaneEvidence(kubelet: nil, components: [held]))
        XCTAssertEqual(found.map(\.cause), [.portInUse])
        XCTAssertTrue(found[0].detail.contains("port 10259 is held by nginx (pid 4242)"), found[0].detail)
        held.listener = PortListener(port: 10259, pid: 4243, program: "kube-scheduler", commandLine: nil)
        XCTAssertEqual(causes(nil, [held]), [.notHealthy])
    }

    func testEveryCauseHasAStableName() {
        XCTAssertEqual(
            StallCause.allCases.map(\.rawValue),
            [
                "kubelet-not-running", "kubelet-restarting", "container-runtime-unreachable", "image-pull-failed",
                "cgroup-driver-mismatch", "port-in-use", "apiserver-certificate-name", "etcd-unavailable",
                "credentials-rejected", "not-healthy",
            ])
    }

    // MARK: - Targets from manifests

    func testTargetsComeFromTheRenderedProbesAndNamedPorts() throws {
        let config = try ConfigLoader.load(
            yaml: try TestSupport.fixtureText("modern-cluster.yaml"), file: "modern-cluster.yaml")
        let pods = try ModernProfile().staticPods(config: config, node: config.masters[0]).map {
            try ControlPlaneTargets.pod(fromManifest: try ManifestRenderer.yaml($0), path: "\($0.metadata.name).yaml")
        }
        let targets = try ControlPlaneTargets.targets(
            pods: pods, kubeletHealthz: ("127.0.0.1", 10248), kubeletProgram: "/usr/bin/kubelet",
            apiServerURL: "https://127.0.0.1:6443")
        XCTAssertEqual(
            targets.map { "\($0.component) \($0.urls.joined(separator: " ")) \($0.access.rawValue)" },
            [
                "kubelet http://127.0.0.1:10248/healthz loopback",
                "kube-apiserver https://127.0.0.1:6443/livez https://127.0.0.1:6443/readyz localAPI",
                "kube-controller-manager https://127.0.0.1:10257/healthz loopback",
                "kube-proxy http://127.0.0.1:10256/livez loopback",
                "kube-scheduler https://127.0.0.1:10259/livez loopback",
            ])
        var broken = pods.first { $0.metadata.name == "kube-scheduler" }!
        broken.spec.containers[0].ports = nil
        XCTAssertThrowsError(
            try ControlPlaneTargets.targets(
                pods: [broken], kubeletHealthz: ("127.0.0.1", 10248), kubeletProgram: "kubelet", apiServerURL: "")
        ) { XCTAssertTrue("\($0)".contains("names port \"probe-port\""), "\($0)") }
    }

    func testKubeletHealthzDefaultsAndAllInterfaces() throws {
        XCTAssertTrue(
            try ControlPlaneTargets.kubeletHealthz(fromConfig: "kind: KubeletConfiguration\n", path: "c") == (
                "127.0.0.1", 10248
            ))
        XCTAssertTrue(
            try ControlPlaneTargets.kubeletHealthz(
                fromConfig: "healthzBindAddress: 0.0.0.0\nhealthzPort: 1234\n", path: "c")
                == ("127.0.0.1", 1234))
        XCTAssertThrowsError(
            try ControlPlaneTargets.kubeletHealthz(fromConfig: "- a list\n", path: "/var/lib/kubelet/config.yaml"))
    }

    func testProcNetTableListenersByPort() {
        let table = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:2833 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 100 0 0 10 0
               1: 0100007F:2833 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 999999 1 0000000000000000 20 4 30 10 -1
               2: 00000000:1A0A 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 100 0 0 10 0
            """
        XCTAssertEqual(ProcNetListeners.listeningInodes(tableText: table, port: 10291), ["123456"])
        XCTAssertEqual(ProcNetListeners.listeningInodes(tableText: table, port: 6666), ["777"])
        XCTAssertEqual(ProcNetListeners.listeningInodes(tableText: table, port: 80), [])
    }
}
