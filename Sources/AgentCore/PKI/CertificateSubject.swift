/// The subject of a certificate or request: one commonName and any number of organizations (Kubernetes groups).
package struct CertificateSubject: Hashable, Sendable, CustomStringConvertible {
    /// CN, the Kubernetes user name for a client certificate (e.g. `system:node:master01`).
    package var commonName: String
    /// O values, the Kubernetes groups (e.g. `system:nodes`), in the order they are encoded.
    package var organizations: [String]

    package init(commonName: String, organizations: [String] = []) {
        self.commonName = commonName
        self.organizations = organizations
    }

    /// RFC 2253 form as `openssl x509 -subject -nameopt RFC2253` and kubeadm's certs.txt print it, e.g.
    /// `CN=kubernetes-admin,O=kubeadm:cluster-admins`: the name is encoded O first, CN last (Go's order), and RFC 2253
    /// lists the last attribute first.
    package var description: String {
        (["CN=\(Self.escaped(commonName))"] + organizations.reversed().map { "O=\(Self.escaped($0))" })
            .joined(separator: ",")
    }

    // RFC 2253 section 2.4: these characters are backslash-escaped anywhere, '#' and a space only at the start.
    private static func escaped(_ value: String) -> String {
        var result = ""
        for (index, character) in value.enumerated() {
            if ",+\"\\<>;".contains(character) || (index == 0 && (character == "#" || character == " ")) {
                result.append("\\")
            }
            result.append(character)
        }
        return result
    }
}
