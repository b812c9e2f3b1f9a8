import Foundation

/// The value stored in etcd at `<secrets.keyPrefix>/<cluster.name>/secrets`: the shared items, encrypted and
/// authenticated with AES-256-GCM under a key HKDF-SHA256 derives from the join token and `salt`. Everything
/// else in the record is authenticated too (`authenticatedData`), so any changed byte is detected. JSON, so
/// `etcdctl get` shows who made it and when; binary fields are base64.
package struct SecretsRecord: Codable, Equatable, Sendable {
    /// The format this agent writes and reads.
    package static let currentVersion = 1
    /// Lengths: HKDF salt, GCM nonce (96 bits, as GCM intends), GCM tag, token check value.
    package static let saltLength = 32
    package static let nonceLength = 12
    package static let tagLength = 16
    package static let tokenCheckLength = 16

    package var version: Int
    /// Names the algorithms, for a person reading the record; the version fixes them.
    package var cipher: String
    package var salt: Data
    /// HKDF output of the token under its own label: tells a wrong token apart from a changed record.
    package var tokenCheck: Data
    package var nonce: Data
    /// The encrypted `SharedSecrets` JSON followed by the 16-byte GCM tag.
    package var ciphertext: Data
    /// The master that made the record (`masters[].name`).
    package var createdBy: String
    /// When, RFC 3339 UTC (the creating master's clock).
    package var createdAt: String

    package init(
        version: Int = SecretsRecord.currentVersion, salt: Data, tokenCheck: Data, nonce: Data, ciphertext: Data,
        createdBy: String, createdAt: String
    ) {
        self.version = version
        self.cipher = "AES-256-GCM, key HKDF-SHA256(join token, salt)"
        self.salt = salt
        self.tokenCheck = tokenCheck
        self.nonce = nonce
        self.ciphertext = ciphertext
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    /// HKDF `info` labels: one derivation per purpose, so the check value reveals nothing about the key.
    package static let keyLabel = Data("master-agent secrets v1 encryption key".utf8)
    package static let tokenCheckLabel = Data("master-agent secrets v1 token check".utf8)

    /// The GCM additional data: the cluster, the etcd key and every clear field, so a record copied to another
    /// cluster or key, or with its creator or time changed, does not decrypt.
    package func authenticatedData(clusterName: String, etcdKey: String) -> Data {
        let lines = [
            "master-agent secrets record", "version=\(version)", "cipher=\(cipher)", "cluster=\(clusterName)",
            "key=\(etcdKey)",
            "salt=\(salt.base64EncodedString())", "tokenCheck=\(tokenCheck.base64EncodedString())",
            "nonce=\(nonce.base64EncodedString())", "createdBy=\(createdBy)", "createdAt=\(createdAt)",
        ]
        return Data(lines.joined(separator: "\n").utf8)
    }

    /// The record as stored: sorted-key JSON.
    package func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings, integers and Data cannot fail.
        return (try? encoder.encode(self)) ?? Data()
    }

    /// Reads a stored record from `key`; throws `SecretsRecordError`: `unknownVersion` when it is not version 1
    /// (checked before anything else), `malformed` when it is not a record or its fields have the wrong sizes.
    package static func decode(_ data: Data, key: String) throws(SecretsRecordError) -> SecretsRecord {
        struct VersionOnly: Decodable { var version: Int }
        let version: Int
        do {
            version = try JSONDecoder().decode(VersionOnly.self, from: data).version
        } catch {
            throw SecretsRecordError(code: .malformed, key: key, detail: "it is not a master-agent secrets record")
        }
        guard version == currentVersion else {
            throw SecretsRecordError(
                code: .unknownVersion, key: key,
                detail: "it has format version \(version); this master-agent reads version \(currentVersion)")
        }
        let record: SecretsRecord
        do {
            record = try JSONDecoder().decode(SecretsRecord.self, from: data)
        } catch {
            throw SecretsRecordError(code: .malformed, key: key, detail: "a field is missing or not base64 (\(error))")
        }
        for (name, value, length) in [
            ("salt", record.salt, saltLength), ("tokenCheck", record.tokenCheck, tokenCheckLength),
            ("nonce", record.nonce, nonceLength),
        ] where value.count != length {
            throw SecretsRecordError(
                code: .malformed, key: key, detail: "its \(name) has \(value.count) bytes, not \(length)")
        }
        guard record.ciphertext.count > tagLength else {
            throw SecretsRecordError(code: .malformed, key: key, detail: "its ciphertext is shorter than a GCM tag")
        }
        return record
    }
}

/// A secrets record that cannot be used. Each code has its own message and next step.
package struct SecretsRecordError: Error, Equatable, CustomStringConvertible {
    package enum Code: String, Equatable, Sendable {
        /// Not JSON, or a field missing or of the wrong size.
        case malformed
        /// A format version this agent does not read.
        case unknownVersion
        /// The token check value differs: this master's join token is not the one the record was made with.
        case wrongToken
        /// The token is right but the GCM tag does not verify: the record was changed after it was written.
        case tampered
        /// It decrypted, but the plaintext is not the shared items document.
        case unreadablePayload
    }

    package let code: Code
    /// The etcd key of the record.
    package let key: String
    package let detail: String

    package init(code: Code, key: String, detail: String) {
        self.code = code
        self.key = key
        self.detail = detail
    }

    package var description: String {
        let next: String
        switch code {
        case .malformed, .unreadablePayload:
            next = "Something other than master-agent wrote this key; check secrets.keyPrefix and cluster.name."
        case .unknownVersion:
            next = "Run the master-agent version that wrote it (or newer) on this master."
        case .wrongToken:
            next = "Copy the join token file from a master of this cluster to secrets.tokenFile on this one."
        case .tampered:
            next =
                "Its contents were changed in etcd after it was written; nothing was written here. Find out who changed it, "
                + "then restore it from a backup or delete the key and bootstrap a master that holds the files again."
        }
        return "could not use the secrets record \(key) in etcd: \(detail). \(next)"
    }
}
