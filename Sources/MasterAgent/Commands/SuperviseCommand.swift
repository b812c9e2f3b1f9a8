import AgentCore
import AgentPlatform
import AgentRuntime
import ArgumentParser
import Dispatch
import FoundationEssentials
import Glibc
import Logging
import Synchronization

/// `master-agent supervise`: the long-running service (`master-agent-supervise.service`) that approves kubelet
/// serving certificates while this master holds the `master-agent-supervise` Lease.
struct SuperviseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "supervise",
        abstract: "Approve kubelet serving certificates while this master leads; run until SIGTERM.",
        discussion: """
            One master at a time holds the Lease master-agent-supervise in the config's election.namespace (the \
            election's durations); it lists CertificateSigningRequests every second and approves a kubelet's \
            serving-certificate request only when it comes from the Node it names, asks for a kubelet's usages, \
            and names only addresses that Node reports (or the config lists for a master). Anything else stays \
            pending and is logged once with the reason. SIGTERM or SIGINT releases the Lease and exits 0. Under the \
            legacy-hyperkube profile there is nothing to supervise: it exits 0 at once.
            """)

    @OptionGroup var options: NodeOptions

    @OptionGroup var credentials: APICredentialOptions

    @Option(
        name: .long,
        help: "Seconds between looks at this master's control plane (changes of health are logged).")
    var healthInterval: Double = 60

    func run() throws {
        let logger = try options.makeLogger()
        try credentials.check()
        guard healthInterval >= 1 else {
            throw CommandFailure(
                status: .usage, message: "--health-interval \(healthInterval) is too short; give 1 or more seconds")
        }
        let (config, node, _) = try options.loadConfigAndNode()
        if config.kubernetes.profile == .legacyHyperkube {
            // The unit is installed on every master; under legacy it ends at once, successfully, so systemd
            // neither restarts it nor lists it as failed.
            logger.notice(
                "nothing to supervise: the legacy-hyperkube profile's API server (v1.2) has no certificates.k8s.io",
                metadata: ["node": "\(node.name)"])
            return
        }
        let timings = try Wiring.leaseTimings(config)
        let tls = try credentials.tls(config: config, root: options.root)
        // Two connections: the Lease renewer runs on its own thread and must not share a curl handle.
        func client() throws -> KubernetesAPIClient {
            do {
                return KubernetesAPIClient(
                    transport: try HTTPClient(
                        tls: tls,
                        userAgent: HTTPClient.userAgent(version: MasterAgentVersion.current, nodeName: node.name)),
                    baseURL: config.apiServer.localURL)
            } catch {
                throw CommandFailure(status: .failure, message: "\(error)")
            }
        }
        let lock = LeaseLock(client: try client(), namespace: config.election.namespace, name: Supervisor.leaseName)
        let elector = LeaderElector(
            lock: lock, identity: node.name, timings: timings, clock: SystemClock(), wallClock: SystemWallClock(),
            logger: logger)
        let approver = CSRApprover(
            client: try client(), reader: OpenSSLToolkit(), masters: config.masters, logger: logger)
        let supervisor = Supervisor(elector: elector, approver: approver, clock: SystemClock(), logger: logger)
        let stop = StopSignals()
        logger.notice(
            "supervise started",
            metadata: [
                "node": "\(node.name)", "lock": "\(elector.lockDescription)",
                "leaseDurationSeconds": "\(timings.leaseDurationSeconds)",
            ])
        let healthWatch = startHealthWatch(config: config, node: node, logger: logger, stop: stop)
        supervisor.run(shouldStop: { stop.isReceived })
        healthWatch.wait()
        logger.notice("supervise stopped", metadata: ["signal": "\(stop.name)"])
    }
}

extension SuperviseCommand {
    /// Every master's own control plane, re-checked every `healthInterval` seconds on a thread of its own (a look
    /// can take seconds; CSR approval must not wait for it); changes of health are logged with their priority.
    private func startHealthWatch(
        config: ClusterConfig, node: ClusterConfig.Master, logger: Logger, stop: StopSignals
    ) -> DispatchGroup {
        let group = DispatchGroup()
        let interval = healthInterval
        DispatchQueue(label: "master-agent.health-watch").async(group: group) {
            let context = Wiring.context(
                config: config, node: node, root: options.root, dryRun: false, logger: logger, connectSystemd: false)
            let waiter = ControlPlaneWaiter(
                localAPI: context.localAPI, loopback: Wiring.loopbackHealthTransport, clock: SystemClock(),
                random: SystemRandom())
            let watch = ControlPlaneHealthWatch(
                targets: { try WaitControlPlaneStep.targets(context, fromDisk: true) },
                look: ControlPlaneHealthLook(waiter: waiter), logger: logger)
            let clock = SystemClock()
            while !stop.isReceived {
                watch.check()
                let next = clock.now() + interval
                while !stop.isReceived, clock.now() < next { clock.sleep(min(0.2, next - clock.now())) }
            }
        }
        return group
    }
}

/// SIGTERM and SIGINT set a flag instead of ending the process, so the Lease is released on the way out.
private final class StopSignals {
    private final class Received: Sendable {
        private let number = Mutex<Int32>(0)
        var value: Int32 { number.withLock { $0 } }
        func set(_ signal: Int32) { number.withLock { $0 = signal } }
    }

    private let received = Received()
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "supervise signals")

    init() {
        let received = received
        sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { received.set(number) }
            source.resume()
            return source
        }
    }

    /// True once SIGTERM or SIGINT arrived.
    var isReceived: Bool { received.value != 0 }
    /// Which one, for the log.
    var name: String { received.value == SIGINT ? "SIGINT" : "SIGTERM" }
}
