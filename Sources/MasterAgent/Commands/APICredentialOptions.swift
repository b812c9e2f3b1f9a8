import AgentCore
import AgentPlatform
import ArgumentParser

/// How a command that talks to the API server (wait-api, supervise) may replace the config's credentials.
struct APICredentialOptions: ParsableArguments {
    @Option(
        name: .long,
        help:
            "CA file the server's certificate must chain to. Default: the config's apiServer.caFile, else (modern) super-admin.conf's CA."
    )
    var cacert: String?

    @Option(
        name: .long,
        help:
            "Client certificate (PEM); needs --key. Default: the config's apiServer.certFile, else (modern) super-admin.conf's."
    )
    var cert: String?

    @Option(name: .long, help: "Private key of --cert (PEM).")
    var key: String?

    @Option(name: .long, help: "File holding a bearer token (instead of --cert/--key).")
    var tokenFile: String?

    /// Throws `CommandFailure` (usage) for a half or a double identity.
    func check() throws {
        if (cert == nil) != (key == nil) {
            throw CommandFailure(status: .usage, message: "--cert and --key go together; give both or neither")
        }
        if tokenFile != nil && cert != nil {
            throw CommandFailure(
                status: .usage, message: "--token-file and --cert/--key cannot be combined; use one way to authenticate"
            )
        }
    }

    /// The config's TLS settings for the local API server with these options on top (`Wiring.localAPITLS`).
    func tls(config: ClusterConfig, root: String) throws -> HTTPTLSConfig {
        do {
            return try Wiring.localAPITLS(
                config: config, root: root, cacert: cacert, cert: cert, key: key, tokenFile: tokenFile)
        } catch {
            throw CommandFailure(status: .failure, message: "\(error)")
        }
    }

    /// These options alone, for a server named on the command line (no config read).
    var tlsWithoutConfig: HTTPTLSConfig {
        var tls = HTTPTLSConfig()
        tls.overriding(cacert: cacert, cert: cert, key: key, tokenFile: tokenFile)
        return tls
    }
}
