import FoundationEssentials

/// One certificate of the PKI tree, as an entry of kubeadm's certlist (`KubeadmCert`): what to make, never how.
/// The PKI toolkit issues it; the certs step decides where and when.
package struct CertificateSpec: Equatable, Sendable {
    /// kubeadm's name for the entry, e.g. `apiserver`, `front-proxy-ca`, or the kubeconfig file (`admin.conf`) for a
    /// kubeconfig's client certificate, as `kubeadm certs check-expiration` lists them.
    package var name: String
    /// The files' base name under the PKI directory (`apiserver` → `apiserver.crt`, `apiserver.key`); nil for a
    /// kubeconfig's client certificate, which is embedded in the kubeconfig and has no file of its own.
    package var baseName: String?
    /// The `name` of the CA spec that signs it; nil for a self-signed CA.
    package var issuer: String?
    /// CN and O of the certificate.
    package var subject: CertificateSubject
    /// CA, serverAuth, clientAuth or both; key usage and EKU follow from it.
    package var usage: CertificateUsage
    /// subjectAltNames in the order they are encoded (sorted where the tree derives them); may be empty.
    package var subjectAltNames: [SubjectAltName]
    /// Made once for the cluster or on each master.
    package var scope: PKIScope
    /// The algorithm of the entry's key (kubeadm's `encryptionAlgorithm` applies to every key).
    package var keyType: KeyType
    /// Days from issuance to notAfter.
    package var validityDays: Int

    /// kubeadm's `CertificateBackdate`: notBefore lies this far before issuance, so a master whose clock is a little
    /// behind still accepts a certificate made a moment ago elsewhere.
    package static let backdate: TimeInterval = 5 * 60

    package init(
        name: String, baseName: String?, issuer: String?, subject: CertificateSubject, usage: CertificateUsage,
        subjectAltNames: [SubjectAltName] = [], scope: PKIScope, keyType: KeyType, validityDays: Int
    ) {
        self.name = name
        self.baseName = baseName
        self.issuer = issuer
        self.subject = subject
        self.usage = usage
        self.subjectAltNames = subjectAltNames
        self.scope = scope
        self.keyType = keyType
        self.validityDays = validityDays
    }

    /// True for a CA (basicConstraints CA:TRUE).
    package var isCertificateAuthority: Bool { usage.isCertificateAuthority }

    /// `<baseName>.crt`, or nil for a certificate embedded in a kubeconfig.
    package var certificateFile: String? { baseName.map { "\($0).crt" } }

    /// `<baseName>.key`, or nil for a key embedded in a kubeconfig.
    package var keyFile: String? { baseName.map { "\($0).key" } }

    /// The validity window of a certificate issued at `issuedAt` (whole seconds, as X.509 stores them):
    /// notBefore `backdate` earlier, notAfter `validityDays` after issuance, as kubeadm's 8760h05m window.
    package func validity(issuedAt: Date) -> (notBefore: Date, notAfter: Date) {
        let start = Date(timeIntervalSince1970: issuedAt.timeIntervalSince1970.rounded(.down))
        return (start.addingTimeInterval(-Self.backdate), start.addingTimeInterval(TimeInterval(validityDays) * 86_400))
    }
}
