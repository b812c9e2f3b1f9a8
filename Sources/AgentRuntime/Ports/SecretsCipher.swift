import AgentCore
import FoundationEssentials

/// The primitives behind the secrets record. The real one is OpenSSL (`OpenSSLSecretsCipher`: EVP_KDF HKDF,
/// EVP AES-256-GCM, EVP SHA-256, RAND_bytes); `SecretsSealer` decides what is derived and sealed with them.
package protocol SecretsCipher {
    /// `count` bytes from a cryptographically secure generator.
    func randomBytes(_ count: Int) throws -> Data
    /// HKDF-SHA256 (RFC 5869) of `secret` with `salt` and `info`, `length` bytes.
    func hkdfSHA256(secret: Data, salt: Data, info: Data, length: Int) throws -> Data
    /// AES-256-GCM encryption of `plaintext` under a 32-byte `key` and 12-byte `nonce`; the ciphertext followed by
    /// the 16-byte tag, which also covers `authenticatedData`.
    func sealAES256GCM(_ plaintext: Data, key: Data, nonce: Data, authenticatedData: Data) throws -> Data
    /// The plaintext of `sealed` (ciphertext + tag), or nil when the tag does not verify (another key, or a byte
    /// of the ciphertext, tag or `authenticatedData` changed). Throws only when the cipher cannot run.
    func openAES256GCM(_ sealed: Data, key: Data, nonce: Data, authenticatedData: Data) throws -> Data?
    /// The SHA-256 digest of `data`.
    func sha256(_ data: Data) throws -> Data
}
