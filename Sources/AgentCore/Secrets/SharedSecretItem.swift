import Foundation

/// One file every master must hold byte for byte, shared through the secrets record.
package struct SharedSecretItem: Equatable, Sendable {
    /// What the file holds: decides how it is checked and fingerprinted.
    package enum Kind: String, Equatable, Sendable {
        case certificate, privateKey, publicKey
        /// Random key bytes with no file of their own: they live inside an EncryptionConfiguration file.
        case encryptionKey
    }

    /// The item's name in the record (stable across versions and configs), e.g. `ca.crt`.
    package let name: String
    /// Where it lives on the node.
    package let path: String
    /// Its permission bits, as the step that makes it writes them.
    package let mode: UInt16
    package let kind: Kind
    /// Shared only when the master that creates the record has it (a CA key kept offline stays offline): a record
    /// without it is complete, and each master keeps its own file, if any.
    package let isOptional: Bool
    /// For `.encryptionKey`: the key's name, provider and size in the EncryptionConfiguration at `path`.
    package let encryptionKey: EncryptionKeySpec?

    package init(name: String, path: String, mode: UInt16, kind: Kind, isOptional: Bool = false) {
        self.name = name
        self.path = path
        self.mode = mode
        self.kind = kind
        self.isOptional = isOptional
        self.encryptionKey = nil
    }

    /// The encryption key `spec`, written into the EncryptionConfiguration file `path`.
    package init(name: String, encryptionKey spec: EncryptionKeySpec, path: String, mode: UInt16) {
        self.name = name
        self.path = path
        self.mode = mode
        self.kind = .encryptionKey
        self.isOptional = false
        self.encryptionKey = spec
    }

    /// The item's bytes as the record holds them, read from the file's `data`: the file itself, or for an
    /// encryption key the decoded bytes of the first key of the provider that encrypts Secrets (the key new writes
    /// use). Throws `KubeconfigError` naming the file when it is not an EncryptionConfiguration that can hold it.
    package func value(inFile data: Data) throws -> Data {
        guard let spec = encryptionKey else { return data }
        let config = try EncryptionConfiguration.decode(String(decoding: data, as: UTF8.self), file: path)
        if let problem = config.problem(for: spec) {
            throw KubeconfigError(
                file: path, problem: "\(problem); fix it or move it away so that the cluster's key is written there")
        }
        let group = config.resources.first { $0.resources.contains("secrets") }
        guard let key = group?.providers.first?.keys(of: spec.provider)?.first,
            let bytes = Data(base64Encoded: key.secret)
        else {
            throw KubeconfigError(file: path, problem: "holds no \(spec.provider) key")
        }
        return bytes
    }

    /// The file that holds the item's `value`: the value itself, or for an encryption key the EncryptionConfiguration
    /// the modern certs step writes (the same bytes on every master for the same key).
    package func fileContents(for value: Data) throws -> Data {
        guard let spec = encryptionKey else { return value }
        return Data(try EncryptionConfiguration(secretboxKey: spec, key: value).yaml().utf8)
    }
}
