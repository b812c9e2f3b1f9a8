import AgentCore
import FoundationEssentials

/// The bootstrap's wait-control-plane step (modern profile): waits until the kubelet, the API server (alive and
/// ready), the controller manager, the scheduler and kube-proxy answer `ok` where their manifests say the kubelet
/// probes them, for at most `apiServer.waitTimeout`; when the deadline passes it says why, from evidence.
package struct WaitControlPlaneStep: BootstrapStepRunner {
    /// The transport for the loopback health checks that are not the API server's.
    package let makeLoopbackTransport: () throws -> HTTPTransport
    package let listeners: PortListenerLookup?
    package let certificates: ServedCertificateProbe?

    package init(
        makeLoopbackTransport: @escaping () throws -> HTTPTransport, listeners: PortListenerLookup?,
        certificates: ServedCertificateProbe?
    ) {
        self.makeLoopbackTransport = makeLoopbackTransport
        self.listeners = listeners
        self.certificates = certificates
    }

    /// Waits; throws `ControlPlaneWaitError` at the deadline (exit 4) or earlier for a failure waiting cannot fix
    /// (exit 1), `HealthTargetProblem` for a missing or
    /// unreadable manifest, or the transport's setup error.
    package func run(_ context: BootstrapContext) throws -> StepOutcome {
        guard context.config.kubernetes.profile == .modern else {
            return StepOutcome(
                step: .waitControlPlane, status: .skipped,
                message: "the legacy-hyperkube profile waits with wait-api: v1.2's components have no health "
                    + "endpoints on their own ports to ask")
        }
        let targets = try Self.targets(context, fromDisk: !context.dryRun)
        if context.dryRun {
            return StepOutcome(
                step: .waitControlPlane, status: .skipped,
                message: "dry run: would wait for \(targets.flatMap(\.urls).joined(separator: ", "))")
        }
        var loopback: HTTPTransport?
        let waiter = ControlPlaneWaiter(
            localAPI: context.localAPI,
            loopback: {
                if let loopback { return loopback }
                let made = try makeLoopbackTransport()
                loopback = made
                return made
            }, clock: context.clock, random: context.random)
        let timeout = context.config.apiServer.waitTimeout.seconds
        let (progress, seconds, gaveUp) = try waiter.wait(for: targets, timeout: timeout) { done in
            context.logger.info(
                "component healthy",
                metadata: [
                    "component": "\(done.target.component)",
                    "seconds": "\(APIWaitSummary.seconds(done.secondsToHealthy ?? 0))",
                ])
        }
        var report = ControlPlaneReport(
            components: progress.map { item in
                ComponentHealth(
                    component: item.target.component, urls: item.target.urls, healthy: item.healthy,
                    secondsToHealthy: item.secondsToHealthy, attempts: item.attempts, lastFailure: item.last?.line)
            }, secondsTotal: seconds, causes: [])
        guard progress.allSatisfy(\.healthy) else {
            let collector = ControlPlaneEvidenceCollector(
                units: context.units, journal: context.journal, listeners: listeners, certificates: certificates,
                localAPI: context.localAPI)
            let unit = context.config.kubelet.unitPath.split(separator: "/").last.map(String.init) ?? "kubelet.service"
            report.causes = StallDiagnosis.classify(collector.collect(progress, kubeletUnit: unit))
            throw ControlPlaneWaitError(report: report, timeout: timeout, gaveUpEarly: gaveUp)
        }
        var outcome = StepOutcome(
            step: .waitControlPlane, status: .done,
            message: "healthy after \(APIWaitSummary.seconds(seconds)): \(report.summary)")
        outcome.controlPlane = report
        return outcome
    }

    /// The targets from the manifests and the kubelet configuration on disk (what the kubelet runs), or, for a
    /// dry run, as the profile renders them; throws `HealthTargetProblem` naming a missing or unreadable file.
    package static func targets(_ context: BootstrapContext, fromDisk: Bool) throws -> [HealthTarget] {
        let config = context.config
        let rendered = config.kubernetes.profile.profile.staticPods(config: config, node: context.node)
        var pods = rendered
        var healthz = (host: "127.0.0.1", port: 10248)
        if fromDisk {
            pods = try rendered.map { pod in
                let path = "\(config.kubelet.manifestDir)/\(pod.metadata.name).yaml"
                return try ControlPlaneTargets.pod(fromManifest: try text(context, path), path: path)
            }
            healthz = try ControlPlaneTargets.kubeletHealthz(
                fromConfig: try text(context, ModernLayout.kubeletConfig), path: ModernLayout.kubeletConfig)
        } else {
            let kubelet = KubeletConfiguration(config)
            healthz = (kubelet.healthzBindAddress, kubelet.healthzPort)
        }
        return try ControlPlaneTargets.targets(
            pods: pods, kubeletHealthz: healthz, kubeletProgram: config.kubelet.binary,
            apiServerURL: config.apiServer.localURL)
    }

    private static func text(_ context: BootstrapContext, _ path: String) throws -> String {
        guard let file = try context.files.readFile(path) else {
            throw HealthTargetProblem(
                "could not find \(path), which says where to ask for health. Run master-agent bootstrap --steps manifests."
            )
        }
        return String(decoding: file.data, as: UTF8.self)
    }
}
