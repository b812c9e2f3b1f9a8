/// A key pair of the PKI tree that is not a certificate: `sa.key`/`sa.pub`, which sign and verify
/// ServiceAccount tokens (kubeadm's `sa` entry, outside its certlist).
package struct KeyPairSpec: Equatable, Sendable {
    /// The entry's name, `sa`.
    package var name: String
    /// The files' base name under the PKI directory (`sa` → `sa.key`, `sa.pub`).
    package var baseName: String
    /// Shared: every API server must verify the tokens any of them signed.
    package var scope: PKIScope
    /// The algorithm of the private key.
    package var keyType: KeyType

    package init(name: String, baseName: String, scope: PKIScope, keyType: KeyType) {
        self.name = name
        self.baseName = baseName
        self.scope = scope
        self.keyType = keyType
    }

    /// `<baseName>.key`, the private key as PEM.
    package var privateKeyFile: String { "\(baseName).key" }

    /// `<baseName>.pub`, the public key as SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY").
    package var publicKeyFile: String { "\(baseName).pub" }
}
