import AgentCore
import FoundationEssentials

/// The modern profile's items (`SharedSecretSet.modern`): taken from this master's files where it has them,
/// made in memory where it does not, with the specs of `PKITree.modern` and the PKIToolkit calls of the modern
/// certs step: the cluster CA from `pki.caCert`/`pki.caKey` (or `--ca-cert`/`--ca-key`), else a new one; the
/// front-proxy CA; the `sa` pair; random encryption key bytes. A CA whose certificate is here without its key is
/// shared without the key: it stays on the CA host. Every master can fill an empty store, so this never waits.
package struct ModernSharedMaterial: SharedMaterialSource {
    package init() {}

    package func material(for set: SharedSecretSet, local: [String: ExistingFile], context: BootstrapContext) throws
        -> [String: Data]?
    {
        guard let pki = context.pki, let wallClock = context.wallClock else {
            throw UsageError("no PKI toolkit or wall clock is wired into this run")
        }
        let tree = PKITree.modern(ModernPKIInputs(context.config, node: context.node))
        var maker = Maker(context: context, pki: pki, now: wallClock.wallNow(), items: local.mapValues(\.data))
        for spec in tree.certificates where spec.scope == .shared && spec.isCertificateAuthority {
            try maker.authority(spec)
        }
        for pair in tree.keyPairs where pair.scope == .shared { try maker.keyPair(pair) }
        for secret in tree.encryptionKeys where secret.scope == .shared {
            try maker.encryptionKey(secret, item: set.items.first { $0.encryptionKey == secret })
        }
        let missing = set.items.filter { !$0.isOptional && maker.items[$0.name] == nil }.map(\.name)
        guard missing.isEmpty else {
            throw UsageError("internal error: the modern shared items \(missing) were not made")
        }
        return maker.items
    }

    /// Fills `items` entry by entry; what is there already is kept and checked.
    private struct Maker {
        let context: BootstrapContext
        let pki: PKIToolkit
        let now: Date
        var items: [String: Data]

        private var pkiDir: String { context.config.pki.dir }

        mutating func authority(_ spec: CertificateSpec) throws {
            guard let certificateName = spec.certificateFile, let keyName = spec.keyFile else { return }
            if let certificate = items[certificateName] {
                try checkPair(certificate: certificate, key: items[keyName], spec: spec)
                return
            }
            if spec.name == PKITree.clusterCA, let configured = try ModernConfiguredCA.load(context) {
                try ModernConfiguredCA.checkPair(certificate: configured.certificate, key: configured.key, pki: pki)
                items[certificateName] = configured.certificate
                // As the certs step stores it: a key from pki.caKey lands in <pki.dir>/ca.key, one from --ca-key not.
                if items[keyName] == nil, configured.keyFromConfig { items[keyName] = configured.key }
                try checkPair(certificate: configured.certificate, key: items[keyName], spec: spec)
                return
            }
            let key = try items[keyName] ?? pki.generateKey(spec.keyType)
            items[keyName] = key
            items[certificateName] = try pki.makeCertificateAuthority(spec, keyPEM: key, issuedAt: now)
        }

        mutating func keyPair(_ pair: KeyPairSpec) throws {
            let key = try items[pair.privateKeyFile] ?? pki.generateKey(pair.keyType)
            let publicHalf = try pki.publicKeyPEM(ofKey: key)
            if let existing = items[pair.publicKeyFile], existing != publicHalf {
                throw SharedMaterialError(
                    detail: "\(pkiDir)/\(pair.publicKeyFile) is not the public half of \(pkiDir)/\(pair.privateKeyFile)"
                )
            }
            items[pair.privateKeyFile] = key
            items[pair.publicKeyFile] = publicHalf
        }

        mutating func encryptionKey(_ secret: EncryptionKeySpec, item: SharedSecretItem?) throws {
            guard let item, items[item.name] == nil else { return }
            items[item.name] = try pki.randomBytes(secret.byteCount)
        }

        // Shares nothing that would fail the certs step on every master: a CA key must belong to its certificate.
        private func checkPair(certificate: Data, key: Data?, spec: CertificateSpec) throws {
            guard let key, let certificateFile = spec.certificateFile, let keyFile = spec.keyFile else { return }
            let certificateKey = try pki.inspect(certificatesPEM: certificate, source: "\(pkiDir)/\(certificateFile)")
                .first?.publicKeyDER
            guard try pki.publicKey(ofKey: key) == certificateKey else {
                throw SharedMaterialError(
                    detail: "\(pkiDir)/\(keyFile) is not the key of \(pkiDir)/\(certificateFile) (other public key)")
            }
        }
    }
}
