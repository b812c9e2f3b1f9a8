import AgentCore
import AgentPlatform
import AgentRuntime
import ArgumentParser
import FoundationEssentials

/// `master-agent bootstrap`: every step from validation to kube-system, or the ones asked for.
struct BootstrapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bootstrap",
        abstract: "Bring this master up: \(BootstrapStep.allCases.map(\.rawValue).joined(separator: " -> "))."
    )

    @OptionGroup var options: NodeOptions

    @Flag(name: .long, help: "Show what would change (diffs) and change nothing.")
    var dryRun = false

    @Option(
        name: .long, parsing: .upToNextOption, help: "Run only these steps (comma-separated); validate always runs.")
    var steps: [String] = []

    @Option(name: .long, help: "Run the sequence up to and including this step.")
    var until: String?

    @Option(name: .long, help: "Seconds to wait for another run's lock.")
    var lockTimeout: Double = 120

    @Flag(
        name: .long, help: "No running systemd (chroot, image build): enable the kubelet by symlinks and start nothing."
    )
    var offline = false

    @Flag(name: .long, help: "Make preflight warnings (unhealthy etcd) errors.")
    var strict = false

    @Flag(
        name: .long,
        help:
            "With --root: a running control plane uses this tree, so a certificate reissued for changed names goes through the Lease and a rolling restart as on /."
    )
    var coordinate = false

    @OptionGroup var ca: CAOptions

    /// The JSON document of a bootstrap.
    struct Result: Encodable {
        let node: String
        let root: String
        let dryRun: Bool
        let exitStatus: Int32
        let steps: [StepOutcome]
        /// Files created, updated or removed by this run.
        let filesChanged: Int
        /// D-Bus method calls made on systemd's Manager (Reload, EnableUnitFiles, StartUnit, ...), by name.
        let systemdCalls: [String: Int]
        let durationMilliseconds: Int
    }

    func run() throws {
        let logger = try options.makeLogger()
        let requested = steps.flatMap { $0.split(separator: ",").map(String.init) }
        let selection: [BootstrapStep]
        do {
            selection = try BootstrapStep.selection(steps: requested.isEmpty ? nil : requested, until: until)
        } catch {
            throw CommandFailure(status: .usage, message: "\(error)")
        }
        try ca.checkPair()
        let printer = OutputPrinter(format: options.output)
        let clock = { SystemClock().now() }
        let started = clock()
        let (config, node, how) = try options.loadConfigAndNode()
        var validate = StepOutcome(
            step: .validate, status: .done,
            message: "config \(options.configPath) is valid; this is \(node.name) (by \(how))")
        validate.durationMilliseconds = Int(((clock() - started) * 1000).rounded())
        printer.line(validate.step.rawValue, validate.status.rawValue, validate.message)

        let lock = dryRun ? nil : try NodeLock.acquire(root: options.root, timeout: lockTimeout, logger: logger)
        defer { lock?.release() }
        // wait-control-plane reads the kubelet unit's state when it has to explain a deadline.
        let needsSystemd =
            selection.contains(.kubeletUnit) || selection.contains(.kubeletStart)
            || selection.contains(.waitControlPlane)
        let context = Wiring.context(
            config: config, node: node, root: options.root, dryRun: dryRun, logger: logger,
            offline: offline, connectSystemd: needsSystemd)
        context.strict = strict
        try ProfileGate.check(config: config, files: context.files)
        context.commandLineCA = try ca.load()
        if config.kubernetes.profile == .modern && !dryRun {
            context.namesReissuer = BootstrapNamesReissuer(
                due: RenewDue(
                    options: options, config: config, node: node, newKey: false, commandLineCA: false,
                    coordinate: coordinate, logger: logger, offline: offline, clusterCA: context.commandLineCA))
        }
        let bootstrapper = Bootstrapper(runners: StepWiring.runners(), now: clock)
        let summary = bootstrapper.run(selection, context: context, prior: [validate]) { outcome in
            printer.line(outcome.step.rawValue, outcome.status.rawValue, outcome.message)
            printer.files(outcome.files)
        }
        if !dryRun {
            let steps = summary.outcomes.map {
                AgentMetrics.StepDuration(
                    step: $0.step.rawValue, status: $0.status.rawValue, seconds: Double($0.durationMilliseconds) / 1000)
            }
            TextfileMetricsWriter(config: config, files: RootedFileSystem(root: options.root), logger: logger).write(
                AgentMetrics.bootstrap(steps, succeeded: summary.exitStatus == .success, finishedAt: Date()),
                to: AgentMetrics.bootstrapFile)
        }
        printer.json(
            Result(
                node: node.name, root: options.root, dryRun: dryRun,
                exitStatus: summary.exitStatus.rawValue, steps: summary.outcomes,
                filesChanged: summary.outcomes.flatMap(\.files).filter { $0.action != .unchanged }.count,
                systemdCalls: (context.units as? SystemdUnitManager)?.calls ?? [:],
                durationMilliseconds: Int(((clock() - started) * 1000).rounded())))
        if summary.exitStatus != .success {
            let missing = summary.outcomes.filter { $0.status == .notImplemented }.map(\.step.rawValue)
            let failed = summary.outcomes.first { $0.status == .failed }
            let message =
                failed.map { "step \($0.step.rawValue) failed" }
                ?? "not done: \(missing.joined(separator: ", ")) cannot run in this version"
            throw CommandFailure(status: summary.exitStatus, message: message)
        }
    }
}

/// Which implementation runs each step. Steps absent here are reported as not implemented.
enum StepWiring {
    static func runners() -> [BootstrapStep: BootstrapStepRunner] {
        [
            .kubeletUnit: KubeletUnitStep(),
            .kubeletStart: KubeletStartStep(),
            .preflight: PreflightStep(),
            .clusterSecrets: ClusterSecretsStep(),
            .certs: CertsStep(),
            .manifests: ManifestsStep(),
            .waitAPI: WaitAPIStep(probe: SystemTCPProbe()),
            .waitControlPlane: WaitControlPlaneStep(
                makeLoopbackTransport: Wiring.loopbackHealthTransport, listeners: ProcNetListeners(),
                certificates: ServedCertificateReader()),
            .election: ElectionStep(),
            .namespace: NamespaceStep(),
            .clusterTasks: ClusterTasksStep(),
        ]
    }
}
