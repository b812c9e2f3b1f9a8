import Foundation
import Logging

/// Builds the real implementations behind the runtime's ports for one command run.
enum Wiring {
    /// The TLS settings for the local API server from the config (`apiServer.caFile` etc.), paths under `root`.
    static func localAPITLS(config: ClusterConfig, root: String) -> HTTPTLSConfig {
        let fs = RootedFileSystem(root: root)
        return HTTPTLSConfig(caFile: config.apiServer.caFile.map(fs.hostPath),
                             clientCertFile: config.apiServer.certFile.map(fs.hostPath),
                             clientKeyFile: config.apiServer.keyFile.map(fs.hostPath),
                             bearerTokenFile: config.apiServer.tokenFile.map(fs.hostPath))
    }

    /// A bootstrap context with the real filesystem, clock, randomness and libcurl transport.
    static func context(config: ClusterConfig, node: ClusterConfig.Master, root: String, dryRun: Bool,
                        logger: Logger) -> BootstrapContext {
        let context = BootstrapContext(config: config, node: node, files: RootedFileSystem(root: root), dryRun: dryRun, logger: logger,
                         clock: SystemClock(), random: SystemRandom(),
                         makeAPITransport: {
                             try HTTPClient(tls: localAPITLS(config: config, root: root),
                                            userAgent: HTTPClient.userAgent(version: MasterAgentVersion.current, nodeName: node.name))
                         })
        context.wallClock = SystemWallClock()
        return context
    }
}
