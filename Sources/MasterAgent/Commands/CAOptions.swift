import AgentCore
import AgentPlatform
import AgentRuntime
import ArgumentParser
import FoundationEssentials

/// `--ca-cert`/`--ca-key`: a CA given on the command line to sign apiserver.crt with (bootstrap, certs renew).
struct CAOptions: ParsableArguments {
    @Option(
        name: .customLong("ca-cert"),
        help: "CA certificate (PEM) to sign apiserver.crt with (else pki.caCert); needs --ca-key.")
    var caCert: String?

    @Option(
        name: .customLong("ca-key"),
        help: "CA private key (PEM) to sign apiserver.crt with (else pki.caKey); needs --ca-cert.")
    var caKey: String?

    /// Throws `CommandFailure` (usage) when only one of the two options is given.
    func checkPair() throws {
        if (caCert == nil) != (caKey == nil) {
            throw CommandFailure(status: .usage, message: "--ca-cert and --ca-key go together")
        }
    }

    /// The CA's certificate and key as PEM, or nil when neither option is given; throws `CommandFailure` when only
    /// one is given or a file cannot be read.
    func load() throws -> (certificate: Data, key: Data)? {
        try checkPair()
        guard let caCert, let caKey else { return nil }
        return (try readFile(caCert), try readFile(caKey))
    }
}
