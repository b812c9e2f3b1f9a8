import AgentCore
import FoundationEssentials

/// What this master can put into an empty store: a profile's way of gathering, or making, its shared items.
/// `LegacySharedMaterial` and `ModernSharedMaterial` are the two profiles' sources.
package protocol SharedMaterialSource {
    /// The bytes of every item of `set` by name, taken from `local` (the files this master has, by item name) and
    /// made in memory where missing, or nil when this master can neither (it then waits for another master's
    /// record). Writes nothing: the caller writes only what won the race. Throws when local files are unusable.
    func material(for set: SharedSecretSet, local: [String: ExistingFile], context: BootstrapContext) throws
        -> [String: Data]?
}

/// The legacy profile's items (`ca.crt`, `apiserver.key`, `apiserver.crt`): taken as they are when this master
/// has all three; otherwise made as the certs step makes them (a new key of `pki.keyType`, a certificate for every
/// derived name signed by the CA of `--ca-cert`/`--ca-key` or `pki.caCert`/`pki.caKey`) when that CA is here.
package struct LegacySharedMaterial: SharedMaterialSource {
    package init() {}

    package func material(for set: SharedSecretSet, local: [String: ExistingFile], context: BootstrapContext) throws
        -> [String: Data]?
    {
        guard let pki = context.pki, let wallClock = context.wallClock else {
            throw UsageError("no PKI toolkit or wall clock is wired into this run")
        }
        var items = local.mapValues(\.data)
        if set.items.contains(where: { items[$0.name] == nil }) {
            guard let ca = try ConfiguredCA.load(context) else { return nil }
            if items["ca.crt"] == nil { items["ca.crt"] = ca.certificate }
            if items["apiserver.key"] == nil {
                items["apiserver.key"] = try pki.generateKey(context.config.pki.keyType)
            }
            if items["apiserver.crt"] == nil {
                let csr = try pki.makeCSR(
                    keyPEM: items["apiserver.key"]!, commonName: "kube-apiserver",
                    sans: APIServerSANs.required(context.config))
                items["apiserver.crt"] = try pki.sign(
                    csrPEM: csr, caCertPEM: ca.certificate, caKeyPEM: ca.key,
                    validityDays: context.config.pki.validityDays, notBefore: wallClock.wallNow())
            }
        }
        try checkConsistent(items, set: set, pki: pki, now: wallClock.wallNow())
        return items
    }

    // Shares nothing that would fail the certs step on every master: the certificate must hold the key's public
    // half and chain to ca.crt.
    private func checkConsistent(_ items: [String: Data], set: SharedSecretSet, pki: PKIToolkit, now: Date) throws {
        let path = { (name: String) in set.item(named: name)?.path ?? name }
        let keyDER = try pki.publicKey(ofKey: items["apiserver.key"]!)
        guard let leaf = try pki.inspect(certificatesPEM: items["apiserver.crt"]!, source: path("apiserver.crt")).first
        else {
            throw SharedMaterialError(detail: "\(path("apiserver.crt")) holds no certificate")
        }
        guard leaf.publicKeyDER == keyDER else {
            throw SharedMaterialError(
                detail: "\(path("apiserver.crt")) is not the certificate of \(path("apiserver.key")) (other public key)"
            )
        }
        do {
            try pki.verify(chainPEM: items["apiserver.crt"]!, trustedPEM: items["ca.crt"]!, at: now)
        } catch {
            throw SharedMaterialError(
                detail: "\(path("apiserver.crt")) does not verify against \(path("ca.crt")): \(error)")
        }
    }
}

/// This master's files cannot be shared as they are.
package struct SharedMaterialError: Error, Equatable, CustomStringConvertible {
    package let detail: String
    package var description: String {
        "could not share this master's TLS material: \(detail). Nothing was written to etcd. Fix or remove the files "
            + "(with a CA key at hand the agent makes missing ones), or let a master with good files bootstrap first."
    }
}

/// The CA this master may sign with: `--ca-cert`/`--ca-key`, else `pki.caCert`/`pki.caKey` (as the certs step
/// reads them); nil when neither is configured.
package enum ConfiguredCA {
    package static func load(_ context: BootstrapContext) throws -> (certificate: Data, key: Data)? {
        if let ca = context.commandLineCA { return ca }
        guard let certPath = context.config.pki.caCert, let keyPath = context.config.pki.caKey else { return nil }
        guard let cert = try context.files.readFile(certPath), let key = try context.files.readFile(keyPath) else {
            throw UsageError(
                "could not read the CA named by pki.caCert (\(certPath)) and pki.caKey (\(keyPath)): a file is missing. "
                    + "Fix the paths, or remove both fields to use the CSR flow.")
        }
        return (cert.data, key.data)
    }
}
