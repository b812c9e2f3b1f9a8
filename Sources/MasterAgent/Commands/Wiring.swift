import AgentCore
import AgentPlatform
import AgentRuntime
import FoundationEssentials
import Glibc
import Logging

/// Builds the real implementations behind the runtime's ports for one command run.
enum Wiring {
    /// The TLS settings for the local API server: the config's `apiServer.caFile`/`certFile`/`keyFile`/`tokenFile`
    /// (paths under `root`); under the modern profile, when none is set, the CA and client certificate embedded in
    /// `/etc/kubernetes/super-admin.conf` (O=system:masters, made by the certs step), as kubeadm's own checks use it.
    /// Throws `ModernAPICredentialsUnavailable` when that kubeconfig is missing or unreadable.
    static func localAPITLS(config: ClusterConfig, root: String) throws -> HTTPTLSConfig {
        let fs = RootedFileSystem(root: root)
        let api = config.apiServer
        let configured = [api.caFile, api.certFile, api.keyFile, api.tokenFile].contains { $0 != nil }
        guard config.kubernetes.profile == .modern, !configured else {
            return HTTPTLSConfig(
                caFile: api.caFile.map(fs.hostPath), clientCertFile: api.certFile.map(fs.hostPath),
                clientKeyFile: api.keyFile.map(fs.hostPath), bearerTokenFile: api.tokenFile.map(fs.hostPath))
        }
        let path = ModernLayout.kubeconfig("super-admin.conf")
        let credentials: Kubeconfig.Credentials
        do {
            guard let file = try fs.readFile(path) else {
                throw ModernAPICredentialsUnavailable(path: path, cause: nil)
            }
            credentials = try Kubeconfig.decode(String(decoding: file.data, as: UTF8.self), file: path)
                .currentCredentials(file: path)
        } catch let error as ModernAPICredentialsUnavailable {
            throw error
        } catch {
            throw ModernAPICredentialsUnavailable(path: path, cause: "\(error)")
        }
        var tls = HTTPTLSConfig()
        tls.caPEM = credentials.caPEM
        tls.clientCertificatePEM = credentials.clientCertificatePEM
        tls.clientKeyPEM = credentials.clientKeyPEM
        return tls
    }

    /// The local API's TLS settings with a command's `--cacert`, `--cert`/`--key` or `--token-file` on top. When the
    /// options replace every credential (a CA and a client identity), the config's are not read at all, so a command
    /// works before the certs step made super-admin.conf.
    static func localAPITLS(
        config: ClusterConfig, root: String, cacert: String?, cert: String?, key: String?, tokenFile: String?
    ) throws -> HTTPTLSConfig {
        let replacesAll = cacert != nil && ((cert != nil && key != nil) || tokenFile != nil)
        var tls = replacesAll ? HTTPTLSConfig() : try localAPITLS(config: config, root: root)
        tls.overriding(cacert: cacert, cert: cert, key: key, tokenFile: tokenFile)
        return tls
    }

    /// The client for the control plane's loopback health checks other than the API server's. kube-controller-manager
    /// and kube-scheduler serve a self-signed certificate on loopback (generated at start, signed by no CA the agent
    /// has), and the kubelet's healthz is plain HTTP: only health paths that allow anonymous access are asked, and no
    /// credentials are sent, so not verifying these loopback peers exposes nothing. The API server is asked over the
    /// verifying local API transport.
    static func loopbackHealthTransport() throws -> HTTPTransport {
        try HTTPClient(
            tls: HTTPTLSConfig(insecureSkipTLSVerify: true),
            userAgent: HTTPClient.userAgent(version: MasterAgentVersion.current, nodeName: "health"))
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
                    tls: try localAPITLS(config: config, root: root),
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

    /// The config's election timings; an invalid pair ends the command with the config's exit status.
    static func leaseTimings(_ config: ClusterConfig) throws -> LeaseTimings {
        do {
            return try LeaseTimings(config.election)
        } catch {
            throw CommandFailure(status: .invalidConfig, message: "\(error)")
        }
    }
}

/// The modern profile's default credentials for the local API server cannot be read.
struct ModernAPICredentialsUnavailable: Error, CustomStringConvertible {
    let path: String
    let cause: String?
    var description: String {
        let problem = cause ?? "\(path) does not exist"
        return "could not authenticate to the local API server: \(problem). Under the modern profile the agent uses "
            + "the client certificate embedded in \(path), which the certs step makes (master-agent bootstrap "
            + "--until certs); or name other credentials with apiServer.caFile, certFile and keyFile in the config."
    }
}

extension HTTPTLSConfig {
    /// A command line's credentials replace the config's: `--cacert` the CA, `--cert`/`--key` or `--token-file` the
    /// client identity (the one given drops the other kind, and in-memory credentials of a kubeconfig with it).
    mutating func overriding(cacert: String?, cert: String?, key: String?, tokenFile: String?) {
        if let cacert {
            caFile = cacert
            caPEM = nil
        }
        if let cert, let key {
            clientCertFile = cert
            clientKeyFile = key
            bearerTokenFile = nil
            clientCertificatePEM = nil
            clientKeyPEM = nil
        }
        if let tokenFile {
            bearerTokenFile = tokenFile
            clientCertFile = nil
            clientKeyFile = nil
            clientCertificatePEM = nil
            clientKeyPEM = nil
        }
    }
}
