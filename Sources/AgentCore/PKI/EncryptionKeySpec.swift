/// The encryption-at-rest key: random bytes with no file of its own; it lives, base64-encoded, inside
/// `/etc/kubernetes/encryption-config.yaml` under its provider and name.
package struct EncryptionKeySpec: Equatable, Sendable {
    /// The key's name in the EncryptionConfiguration (`key1`); etcd values are prefixed `k8s:enc:<provider>:v1:<name>:`.
    package var name: String
    /// The EncryptionConfiguration provider that uses it (`secretbox`).
    package var provider: String
    /// How many random bytes (secretbox takes exactly 32).
    package var byteCount: Int
    /// Shared: every API server must read what any of them wrote.
    package var scope: PKIScope

    package init(name: String, provider: String, byteCount: Int, scope: PKIScope) {
        self.name = name
        self.provider = provider
        self.byteCount = byteCount
        self.scope = scope
    }
}
