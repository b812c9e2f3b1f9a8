import Foundation

/// The plaintext inside a secrets record: each shared item's bytes by item name (`SharedSecretItem.name`).
/// Names, not paths, so masters with another `pki.dir` still agree.
package struct SharedSecrets: Codable, Equatable, Sendable {
    package var items: [String: Data]

    package init(items: [String: Data]) { self.items = items }

    /// Sorted-key JSON, the bytes that get encrypted.
    package func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)) ?? Data()
    }

    /// The items of decrypted `data`; nil when it is not this document.
    package static func decode(_ data: Data) -> SharedSecrets? {
        try? JSONDecoder().decode(SharedSecrets.self, from: data)
    }
}
