import AgentCore
import FoundationEssentials

/// The cluster CA the operator gives the modern profile: `--ca-cert`/`--ca-key`, else `pki.caCert` with
/// `pki.caKey` optional (without it the CA key stays on the CA host and per-node certificates are requested).
/// Read the same way by the certs step and by the cluster-secrets step, so both make the same `ca`.
package struct ModernConfiguredCA: Sendable {
    package let certificate: Data
    package let key: Data?
    /// True when the key came from `pki.caKey`: such a key is kept in `<pki.dir>/ca.key` (and may be shared); a
    /// key given only on the command line is used and not stored.
    package let keyFromConfig: Bool

    /// The configured CA of `context`, or nil when neither the command line nor the config names one. Throws a
    /// `UsageError` naming the field when a named file does not exist.
    package static func load(_ context: BootstrapContext) throws -> ModernConfiguredCA? {
        if let ca = context.commandLineCA {
            return ModernConfiguredCA(certificate: ca.certificate, key: ca.key, keyFromConfig: false)
        }
        guard let certPath = context.config.pki.caCert else { return nil }
        guard let cert = try context.files.readFile(certPath) else {
            throw UsageError(
                "could not read pki.caCert \(certPath): it does not exist. Fix the path, or remove pki.caCert and pki.caKey to have the first master make a CA."
            )
        }
        guard let keyPath = context.config.pki.caKey else {
            return ModernConfiguredCA(certificate: cert.data, key: nil, keyFromConfig: false)
        }
        guard let key = try context.files.readFile(keyPath) else {
            throw UsageError(
                "could not read pki.caKey \(keyPath): it does not exist. Fix the path, or remove pki.caKey to sign on the CA host instead."
            )
        }
        return ModernConfiguredCA(certificate: cert.data, key: key.data, keyFromConfig: true)
    }

    /// Throws a `UsageError` unless `key` (when given) is the private half of `certificate`'s public key.
    package static func checkPair(certificate: Data, key: Data?, pki: PKIToolkit) throws {
        guard let key else { return }
        let certificateKey = try pki.inspect(certificatesPEM: certificate, source: "pki.caCert").first?.publicKeyDER
        guard try pki.publicKey(ofKey: key) == certificateKey else {
            throw UsageError(
                "the CA key (pki.caKey or --ca-key) does not belong to the CA certificate (pki.caCert or --ca-cert); give the matching pair."
            )
        }
    }
}
