import AgentCore
import FoundationEssentials

/// Seals the shared items into a `SecretsRecord` and opens one: a fresh salt and nonce per record, the
/// AES-256-GCM key and the token check value derived from the join token by HKDF-SHA256 under separate labels,
/// every clear field of the record authenticated (`SecretsRecord.authenticatedData`).
package struct SecretsSealer {
    package let cipher: SecretsCipher

    package init(cipher: SecretsCipher) { self.cipher = cipher }

    /// A new record of `secrets` for `etcdKey` of cluster `clusterName`, made by `createdBy` at `createdAt`.
    package func seal(
        _ secrets: SharedSecrets, token: JoinToken, clusterName: String, etcdKey: String, createdBy: String,
        createdAt: String
    ) throws -> SecretsRecord {
        let salt = try cipher.randomBytes(SecretsRecord.saltLength)
        var record = SecretsRecord(
            salt: salt, tokenCheck: try tokenCheck(token, salt: salt),
            nonce: try cipher.randomBytes(SecretsRecord.nonceLength), ciphertext: Data(), createdBy: createdBy,
            createdAt: createdAt)
        record.ciphertext = try cipher.sealAES256GCM(
            secrets.encoded(), key: try key(token, salt: salt), nonce: record.nonce,
            authenticatedData: record.authenticatedData(clusterName: clusterName, etcdKey: etcdKey))
        return record
    }

    /// The items of `record`; throws `SecretsRecordError`: `wrongToken` when the token's check value differs,
    /// `tampered` when the GCM tag does not verify, `unreadablePayload` when the plaintext is not the items.
    package func open(_ record: SecretsRecord, token: JoinToken, clusterName: String, etcdKey: String) throws
        -> SharedSecrets
    {
        guard constantTimeEqual(try tokenCheck(token, salt: record.salt), record.tokenCheck) else {
            throw SecretsRecordError(
                code: .wrongToken, key: etcdKey,
                detail: "this master's join token is not the one \(record.createdBy) made the record with")
        }
        guard
            let plaintext = try cipher.openAES256GCM(
                record.ciphertext, key: try key(token, salt: record.salt), nonce: record.nonce,
                authenticatedData: record.authenticatedData(clusterName: clusterName, etcdKey: etcdKey))
        else {
            throw SecretsRecordError(
                code: .tampered, key: etcdKey,
                detail: "the join token is right but the record's authentication tag does not verify "
                    + "(its bytes, or the cluster name or key it was made for, changed)")
        }
        guard let secrets = SharedSecrets.decode(plaintext) else {
            throw SecretsRecordError(
                code: .unreadablePayload, key: etcdKey, detail: "it decrypted to something other than the shared items")
        }
        return secrets
    }

    private func key(_ token: JoinToken, salt: Data) throws -> Data {
        try cipher.hkdfSHA256(secret: token.secret, salt: salt, info: SecretsRecord.keyLabel, length: 32)
    }

    private func tokenCheck(_ token: JoinToken, salt: Data) throws -> Data {
        try cipher.hkdfSHA256(
            secret: token.secret, salt: salt, info: SecretsRecord.tokenCheckLabel,
            length: SecretsRecord.tokenCheckLength)
    }

    private func constantTimeEqual(_ a: Data, _ b: Data) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
