/// Syntax rules for DNS names as Kubernetes accepts them (RFC 1123 subdomains, lower case).
package enum DNSName {
    /// True for "master01.example.com" and "cluster.local"; false for "", "Master", "a..b", "-a".
    package static func isValid(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            guard (1...63).contains(label.count), label.first != "-", label.last != "-" else { return false }
            return label.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
        }
    }
}
