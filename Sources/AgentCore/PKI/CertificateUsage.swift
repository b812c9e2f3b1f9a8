/// What a certificate is for, as kubeadm's certlist says it (`certutil.Config.Usages`, or a CA).
/// Key usage and extended key usage follow from it; the issuer marks key usage and basicConstraints critical.
package enum CertificateUsage: String, CaseIterable, Sendable {
    /// A self-signed root that signs other certificates (CA:TRUE).
    case certificateAuthority = "ca"
    /// A TLS server (EKU serverAuth), e.g. apiserver.
    case serverAuth
    /// A TLS client (EKU clientAuth), e.g. apiserver-kubelet-client and every kubeconfig's certificate.
    case clientAuth
    /// Both ends of TLS (EKU serverAuth, clientAuth), as etcd's peer certificates are.
    case serverAndClientAuth = "serverAuth+clientAuth"

    /// True for a CA certificate (basicConstraints CA:TRUE).
    package var isCertificateAuthority: Bool { self == .certificateAuthority }

    /// Key usage bits in RFC 5280 order. kubeadm keeps keyEncipherment for ECDSA keys too
    /// (certs-ECDSA-P256.txt: "Digital Signature, Key Encipherment"), so the key type does not change them.
    package var keyUsages: [KeyUsage] {
        isCertificateAuthority
            ? [.digitalSignature, .keyEncipherment, .keyCertSign] : [.digitalSignature, .keyEncipherment]
    }

    /// Extended key usages; empty for a CA (kubeadm's CAs carry none).
    package var extendedKeyUsages: [ExtendedKeyUsage] {
        switch self {
        case .certificateAuthority: return []
        case .serverAuth: return [.serverAuth]
        case .clientAuth: return [.clientAuth]
        case .serverAndClientAuth: return [.serverAuth, .clientAuth]
        }
    }
}

/// A keyUsage bit, spelled as RFC 5280 names it (which is also openssl.cnf's spelling).
package enum KeyUsage: String, CaseIterable, Sendable {
    case digitalSignature
    case keyEncipherment
    case keyCertSign
}

/// An extendedKeyUsage purpose, spelled as RFC 5280 names it (id-kp-serverAuth, id-kp-clientAuth).
package enum ExtendedKeyUsage: String, CaseIterable, Sendable {
    case serverAuth
    case clientAuth
}
