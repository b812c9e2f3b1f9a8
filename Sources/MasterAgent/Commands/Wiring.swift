import AgentCore
import AgentPlatform
import AgentRuntime
import FoundationEssentials
import Glibc
import Logging

/// Builds the real implementations behind the runtime's ports for one command run.
enum Wiring {
    /// The TLS settings for the local API server from the config (`apiServer.caFile` etc.), paths under `root`.
    static func localAPITLS(config: ClusterConfig, root: String) -> HTTPTLSConfig {
        let fs = RootedFileSystem(root: root)
        return HTTPTLSConfig(
            caFile: config.apiServer.caFile.map(fs.hostPath),
            clientCertFile: config.apiServer.certFile.map(fs.hostPath),
            clientKeyFile: config.apiServer.keyFile.map(fs.hostPath),
            bearerTokenFile: config.apiServer.tokenFile.map(fs.hostPath))
    }

    /// A bootstrap context with the real filesystem, clock, randomness and libcurl transport.
    static func context(
        config: ClusterConfig, node: ClusterConfig.Master, root: String, dryRun: Bool,
        logger: Logger, offline: Bool = false, connectSystemd: Bool = false
    ) -> BootstrapContext {
        let context = BootstrapContext(
            config: config, node: node, files: RootedFileSystem(root: root), dryRun: dryRun, logger: logger,
            clock: SystemClock(), random: SystemRandom(),
            makeAPITransport: {
                try HTTPClient(
                    tls: localAPITLS(config: config, root: root),
                    userAgent: HTTPClient.userAgent(version: MasterAgentVersion.current, nodeName: node.name))
            })
        context.pki = OpenSSLToolkit()
        context.secretsCipher = OpenSSLSecretsCipher()
        context.runningAsRoot = geteuid() == 0
        context.usesAlternateRoot = root != "/"
        let fs = RootedFileSystem(root: root)
        context.makeEtcdTransport = {
            try HTTPClient(
                tls: HTTPTLSConfig(
                    caFile: fs.hostPath(config.etcd.caFile), clientCertFile: fs.hostPath(config.etcd.certFile),
                    clientKeyFile: fs.hostPath(config.etcd.keyFile)),
                userAgent: HTTPClient.userAgent(version: MasterAgentVersion.current, nodeName: node.name))
        }
        if root != "/" || offline {
            // An image build or test tree: enable by symlinks as `systemctl --root` does, start nothing.
            context.offlineUnits = fs
            context.unitsUnavailableReason =
                root != "/" ? "--root \(root) is not a running system" : "--offline was given"
        } else if connectSystemd {
            do {
                context.units = try SystemdUnitManager.connect()
                context.journal = SystemdJournal()
            } catch {
                context.unitsUnavailableReason = "there is no systemd to talk to (\(error))"
            }
        }
        context.wallClock = SystemWallClock()
        return context
    }
}
