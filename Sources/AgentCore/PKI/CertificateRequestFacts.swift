/// What a PKCS#10 request asks for, as read (and its self-signature checked) by the PKI toolkit.
package struct CertificateRequestFacts: Equatable, Sendable {
    /// The public key's algorithm, as far as approval rules care.
    package enum KeyAlgorithm: Equatable, Sendable, CustomStringConvertible {
        case rsa, ecdsa, ed25519
        /// Any other algorithm, by OpenSSL's name.
        case other(String)

        package var description: String {
            switch self {
            case .rsa: return "RSA"
            case .ecdsa: return "ECDSA"
            case .ed25519: return "Ed25519"
            case .other(let name): return name
            }
        }
    }

    /// The subject's commonName, nil when it has none.
    package var commonName: String?
    /// The subject's organizationName values in order.
    package var organizations: [String]
    /// DNS and IP subjectAltNames in request order.
    package var subjectAltNames: [SubjectAltName]
    /// Kinds of other subjectAltNames requested (`email`, `URI`, `otherName`, ...), which no kubelet asks for.
    package var otherSubjectAltNameKinds: [String]
    package var keyAlgorithm: KeyAlgorithm

    package init(
        commonName: String?, organizations: [String], subjectAltNames: [SubjectAltName],
        otherSubjectAltNameKinds: [String] = [], keyAlgorithm: KeyAlgorithm
    ) {
        self.commonName = commonName
        self.organizations = organizations
        self.subjectAltNames = subjectAltNames
        self.otherSubjectAltNameKinds = otherSubjectAltNameKinds
        self.keyAlgorithm = keyAlgorithm
    }
}
