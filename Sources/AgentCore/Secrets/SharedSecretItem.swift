/// One file every master must hold byte for byte, shared through the secrets record.
package struct SharedSecretItem: Equatable, Sendable {
    /// What the file holds: decides how it is checked and fingerprinted.
    package enum Kind: String, Equatable, Sendable {
        case certificate, privateKey, publicKey
    }

    /// The item's name in the record (stable across versions and configs), e.g. `ca.crt`.
    package let name: String
    /// Where it lives on the node.
    package let path: String
    /// Its permission bits, as the step that makes it writes them.
    package let mode: UInt16
    package let kind: Kind

    package init(name: String, path: String, mode: UInt16, kind: Kind) {
        self.name = name
        self.path = path
        self.mode = mode
        self.kind = kind
    }
}

/// Which files a profile shares, as data: adding an item is adding a row. The modern profile's list (CA and
/// front-proxy CA, sa.key/sa.pub, the encryption key of encryption-config.yaml) joins with its certs step.
package struct SharedSecretSet: Equatable, Sendable {
    package let items: [SharedSecretItem]
    /// The item whose fingerprint identifies the cluster's CA.
    package let caCertificate: String
    /// The item that signs service-account tokens.
    package let serviceAccountKey: String

    /// The set for `config`'s profile; nil for a profile whose shared items are not defined yet (modern).
    package static func forConfig(_ config: ClusterConfig) -> SharedSecretSet? {
        switch config.kubernetes.profile {
        case .legacyHyperkube: return legacy(pkiDir: config.pki.dir)
        case .modern: return nil
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

    /// The item called `name`.
    package func item(named name: String) -> SharedSecretItem? { items.first { $0.name == name } }
}
