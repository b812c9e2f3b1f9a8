import Foundation

/// One subjectAltName entry of a server certificate: a DNS name or an IP address.
package enum SubjectAltName: Hashable, Comparable, CustomStringConvertible {
    /// A DNS name, e.g. `kubernetes.default.svc`.
    case dns(String)
    /// An IP address in its canonical text form (IPv4 dotted quad without leading zeros).
    case ip(String)

    /// `DNS:name` or `IP:address`, the form openssl.cnf and `-addext subjectAltName=` accept.
    package var description: String {
        switch self {
        case .dns(let name): return "DNS:\(name)"
        case .ip(let address): return "IP:\(address)"
        }
    }

    /// Parses `DNS:x`, `IP:x` or `IP Address:x` (as `openssl x509 -text` prints); nil otherwise.
    package init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for (prefix, isIP) in [("DNS:", false), ("IP Address:", true), ("IP:", true)] where trimmed.hasPrefix(prefix) {
            let value = trimmed.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
            guard !value.isEmpty else { return nil }
            self = isIP ? .ip(value) : .dns(value)
            return
        }
        return nil
    }

    /// DNS names sort before IP addresses; IPv4 addresses sort numerically.
    package static func < (lhs: SubjectAltName, rhs: SubjectAltName) -> Bool {
        switch (lhs, rhs) {
        case (.dns(let a), .dns(let b)):
            return a < b
        case (.dns, .ip):
            return true
        case (.ip, .dns):
            return false
        case (.ip(let a), .ip(let b)):
            if let x = Self.ipv4Octets(a), let y = Self.ipv4Octets(b) {
                return x.lexicographicallyPrecedes(y)
            }
            return a < b
        }
    }

    // Numeric order keeps 10.3.0.1 before 127.0.0.1 before 192.168.1.1, as people read them.
    private static func ipv4Octets(_ text: String) -> [Int]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let octets = parts.compactMap { Int($0) }.filter { (0...255).contains($0) }
        return octets.count == 4 ? octets : nil
    }
}

/// The key algorithm and size of the API server key (`pki.keyType`).
package enum KeyType: String, CaseIterable, Codable, Sendable {
    /// RSA with a 2048-bit modulus (the document's `openssl genrsa 2048`, the default).
    case rsa2048 = "rsa-2048"
    /// RSA with a 4096-bit modulus.
    case rsa4096 = "rsa-4096"
    /// ECDSA on NIST P-256 (prime256v1).
    case ecdsaP256 = "ecdsa-p256"
}
