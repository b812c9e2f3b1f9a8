/// Which files a profile shares, as data: adding an item is adding a row.
package struct SharedSecretSet: Equatable, Sendable {
    package let items: [SharedSecretItem]
    /// The item whose fingerprint identifies the cluster's CA.
    package let caCertificate: String
    /// The item that signs service-account tokens.
    package let serviceAccountKey: String

    /// The set for `config`'s profile.
    package static func forConfig(_ config: ClusterConfig) -> SharedSecretSet {
        switch config.kubernetes.profile {
        case .legacyHyperkube: return legacy(pkiDir: config.pki.dir)
        case .modern:
            // The shared entries do not depend on the node; any master gives the same ones.
            let inputs = ModernPKIInputs(config, node: config.masters[0])
            return modern(tree: PKITree.modern(inputs), pkiDir: config.pki.dir)
        }
    }

    /// What the reference document copies from master01 to master02: the API server's key (it also signs
    /// service-account tokens, so every master needs the same one), its certificate (valid for every master's
    /// names) and the CA certificate. Modes as the certs step writes them.
    package static func legacy(pkiDir: String) -> SharedSecretSet {
        SharedSecretSet(
            items: [
                SharedSecretItem(name: "ca.crt", path: "\(pkiDir)/ca.crt", mode: 0o644, kind: .certificate),
                SharedSecretItem(
                    name: "apiserver.key", path: "\(pkiDir)/apiserver.key", mode: 0o600, kind: .privateKey),
                SharedSecretItem(
                    name: "apiserver.crt", path: "\(pkiDir)/apiserver.crt", mode: 0o644, kind: .certificate),
            ],
            caCertificate: "ca.crt", serviceAccountKey: "apiserver.key")
    }

    /// The shared entries of the modern `tree`, in kubeadm's files and the modern certs step's modes: each shared CA
    /// (`ca`, `front-proxy-ca`) with its key optional (an operator who keeps a CA key offline keeps it offline, and
    /// the CSR flow stays), the `sa` pair, and each shared encryption key inside `ModernLayout.encryptionConfig`.
    package static func modern(tree: PKITree, pkiDir: String) -> SharedSecretSet {
        var items: [SharedSecretItem] = []
        for spec in tree.certificates where spec.scope == .shared {
            guard let certificate = spec.certificateFile, let key = spec.keyFile else { continue }
            items.append(
                SharedSecretItem(name: certificate, path: "\(pkiDir)/\(certificate)", mode: 0o644, kind: .certificate))
            items.append(
                SharedSecretItem(
                    name: key, path: "\(pkiDir)/\(key)", mode: 0o600, kind: .privateKey, isOptional: true))
        }
        for pair in tree.keyPairs where pair.scope == .shared {
            items.append(
                SharedSecretItem(
                    name: pair.privateKeyFile, path: "\(pkiDir)/\(pair.privateKeyFile)", mode: 0o600,
                    kind: .privateKey))
            items.append(
                SharedSecretItem(
                    name: pair.publicKeyFile, path: "\(pkiDir)/\(pair.publicKeyFile)", mode: 0o600, kind: .publicKey))
        }
        for secret in tree.encryptionKeys where secret.scope == .shared {
            items.append(
                SharedSecretItem(
                    name: "encryption-key-\(secret.name)", encryptionKey: secret, path: ModernLayout.encryptionConfig,
                    mode: 0o600))
        }
        return SharedSecretSet(
            items: items, caCertificate: "ca.crt",
            serviceAccountKey: tree.keyPairs.first { $0.scope == .shared }?.privateKeyFile ?? "sa.key")
    }

    /// The item called `name`.
    package func item(named name: String) -> SharedSecretItem? { items.first { $0.name == name } }
}
