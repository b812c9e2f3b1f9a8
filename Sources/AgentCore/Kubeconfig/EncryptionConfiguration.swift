import Foundation
import Yams

/// The API server's `--encryption-provider-config` (apiserver.config.k8s.io/v1 EncryptionConfiguration) as the
/// modern reference has it: Secrets encrypted with the cluster's shared key, `identity` last so Secrets written
/// before encryption was switched on stay readable.
package struct EncryptionConfiguration: Codable, Equatable, Sendable {
    package var apiVersion = "apiserver.config.k8s.io/v1"
    package var kind = "EncryptionConfiguration"
    package var resources: [ResourceGroup]

    package struct ResourceGroup: Codable, Equatable, Sendable {
        package var resources: [String]
        package var providers: [Provider]
    }

    /// One provider; exactly one field is set. Providers this agent does not write (kms, aesgcm, ...) decode as
    /// an empty `Provider` and are kept out of the checks.
    package struct Provider: Codable, Equatable, Sendable {
        package var secretbox: KeyList?
        package var aescbc: KeyList?
        package var identity: Empty?
    }

    package struct KeyList: Codable, Equatable, Sendable {
        package var keys: [Key]
    }

    package struct Key: Codable, Equatable, Sendable {
        package var name: String
        /// Base64 of the key bytes.
        package var secret: String
    }

    /// `identity: {}`.
    package struct Empty: Codable, Equatable, Sendable {
        package init() {}
    }

    /// The reference file: Secrets encrypted with the secretbox key `spec.name` (`key` are its bytes), then identity.
    package init(secretboxKey spec: EncryptionKeySpec, key: Data) {
        resources = [
            ResourceGroup(
                resources: ["secrets"],
                providers: [
                    Provider(secretbox: KeyList(keys: [Key(name: spec.name, secret: key.base64EncodedString())])),
                    Provider(identity: Empty()),
                ])
        ]
    }

    /// The file's text: the reference's comment (without the placeholder line), then the YAML.
    package func yaml() throws -> String {
        let encoder = YAMLEncoder()
        encoder.options.indent = 2
        encoder.options.width = -1
        encoder.options.sortKeys = false
        return Self.header + (try encoder.encode(self))
    }

    private static let header = """
        # --encryption-provider-config (CIS 1.2.27, 1.2.28), mode 0600 root:root, the same on every master.
        # The first provider encrypts new writes; identity lets the apiserver still read Secrets written before
        # encryption was switched on (re-write them with `kubectl get secrets -A -o json | kubectl replace -f -`).

        """

    /// Decodes the file; `file` names it in the error.
    package static func decode(_ text: String, file: String) throws -> EncryptionConfiguration {
        do {
            return try YAMLDecoder().decode(EncryptionConfiguration.self, from: text)
        } catch {
            throw KubeconfigError(
                file: file, problem: "is not an EncryptionConfiguration this agent can read (\(error))")
        }
    }

    /// Why the file cannot encrypt Secrets with a `spec` key, or nil when it can: it must cover `secrets` with a
    /// `spec.provider` provider first whose every key decodes to `spec.byteCount` bytes. Other keys (a rotation in
    /// progress) are accepted.
    package func problem(for spec: EncryptionKeySpec) -> String? {
        guard let group = resources.first(where: { $0.resources.contains("secrets") }) else {
            return "does not cover secrets"
        }
        guard let first = group.providers.first, let keys = first.keys(of: spec.provider), !keys.isEmpty else {
            return "does not encrypt secrets with \(spec.provider) first"
        }
        for key in keys where Data(base64Encoded: key.secret)?.count != spec.byteCount {
            return "has a \(spec.provider) key \(key.name) that is not \(spec.byteCount) bytes of base64"
        }
        return nil
    }
}

extension EncryptionConfiguration.Provider {
    /// The keys of the provider named `provider` (`secretbox`, `aescbc`), or nil when this is another one.
    package func keys(of provider: String) -> [EncryptionConfiguration.Key]? {
        switch provider {
        case "secretbox": return secretbox?.keys
        case "aescbc": return aescbc?.keys
        default: return nil
        }
    }
}
