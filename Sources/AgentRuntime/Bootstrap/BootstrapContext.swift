import AgentCore
import FoundationEssentials
import Logging

/// What every step of one bootstrap run shares: the validated config, this master, the ports
/// to the outside world, and facts earlier steps leave for later ones.
package final class BootstrapContext {
    package let config: ClusterConfig
    package let node: ClusterConfig.Master
    package let files: FileStore
    package let dryRun: Bool
    package let logger: Logger
    package let clock: MonotonicClock
    package let random: RandomSource
    /// Opens the HTTP connection to the local API server (config's apiServer.* TLS settings); built on first use.
    package let makeAPITransport: () throws -> HTTPTransport
    private var apiTransport: HTTPTransport?

    /// The shared HTTP transport to the local API server (one keep-alive connection for the run).
    package func localAPI() throws -> HTTPTransport {
        if let apiTransport { return apiTransport }
        let transport = try makeAPITransport()
        apiTransport = transport
        return transport
    }

    /// The cryptography behind the certs step (set by the command's wiring; nil in tests that need none).
    package var pki: PKIToolkit?
    /// Reissues per-node certificates whose names drifted from the config (set by `bootstrap`'s wiring); nil: the
    /// certs step stops on a missing name and names the command that reissues it.
    package var namesReissuer: CertificateNamesReissuer?
    /// A CA given on the command line (`--ca-cert`/`--ca-key`) as PEM, taking precedence over `pki.caCert`/`pki.caKey`.
    package var commandLineCA: (certificate: Data, key: Data)?

    /// True when this process runs as root; preflight requires it unless paths go under `--root`.
    package var runningAsRoot = true
    /// True when every path is placed under a `--root` other than "/" (tests, image builds).
    package var usesAlternateRoot = false
    /// Preflight warnings (etcd unhealthy) become errors.
    package var strict = false
    /// Opens an HTTP connection to etcd with its client TLS files; nil when not wired.
    package var makeEtcdTransport: (() throws -> HTTPTransport)?
    /// The cryptography of the secrets record (cluster-secrets step, `secrets status`); nil when not wired.
    package var secretsCipher: SecretsCipher?

    /// systemd over D-Bus; nil when there is none to talk to (then `offlineUnits` decides).
    package var units: UnitManager?
    /// Why `units` is nil, for the message when a step needs systemd.
    package var unitsUnavailableReason = "no systemd connection was set up"
    /// With `--root` and no systemd: enable by writing the [Install] symlinks, start nothing.
    package var offlineUnits: SymlinkStore?
    /// The kubelet's recent log lines, for failure messages.
    package var journal: UnitJournal?
    /// Seconds to watch NRestarts after starting the kubelet.
    package var kubeletSettleSeconds = 3.0
    /// Seconds to wait for a systemd job.
    package var unitJobTimeout = 90.0

    /// Set by kubelet-unit when the unit file changed, so kubelet-start knows to reload/restart.
    package var kubeletUnitChanged = false

    /// Wall clock for certificate validity and the timestamps in election records (never for lease
    /// decisions, which use the monotonic clock); set by `Wiring`.
    package var wallClock: WallClock?
    /// Set by the election step when kube-system already existed, so neither step touches the lock.
    package var kubeSystemFoundBeforeElection = false
    /// The election once the election (or namespace) step started it; the namespace step releases it.
    package var election: ElectionState?

    package init(
        config: ClusterConfig, node: ClusterConfig.Master, files: FileStore, dryRun: Bool, logger: Logger,
        clock: MonotonicClock, random: RandomSource, makeAPITransport: @escaping () throws -> HTTPTransport
    ) {
        self.config = config
        self.node = node
        self.files = files
        self.dryRun = dryRun
        self.logger = logger
        self.clock = clock
        self.random = random
        self.makeAPITransport = makeAPITransport
    }
}

/// One step of the bootstrap. Implementations receive everything through the context.
package protocol BootstrapStepRunner {
    /// Runs the step. Throws when it fails; the error's description is shown to the operator.
    func run(_ context: BootstrapContext) throws -> StepOutcome
}

/// An error that asks for a specific process exit status.
package protocol ExitStatusProviding: Error {
    var exitStatus: ExitStatus { get }
}

/// The process exit statuses the agent documents (README "Exit status").
package enum ExitStatus: Int32, Codable, Sendable {
    case success = 0
    case failure = 1
    /// The API server's certificate must be signed on the CA host first.
    case certificatePending = 3
    /// wait-api reached its deadline.
    case apiTimeout = 4
    case usage = 64
    case invalidConfig = 65
    /// A step that was asked for is not built yet.
    case notImplemented = 69
    /// Another run held the lock for longer than --lock-timeout.
    case lockTimeout = 75
}
