import AgentCore
import AgentRuntime
import COpenSSL
import FoundationEssentials

// Certificates issued from a `CertificateSpec` (the modern profile's PKI tree) in kubeadm's shape. Unlike the legacy
// paths above, the spec decides subject, SANs, usages and validity; a request only contributes its public key.
extension CertificateAuthority {
    /// The extensions of a certificate issued for `spec`, as openssl.cnf text, in the order Go's crypto/x509 (so
    /// kubeadm) writes them: critical keyUsage, extendedKeyUsage (leaves only), critical basicConstraints, then a
    /// subjectKeyIdentifier on a CA or an authorityKeyIdentifier on a leaf. subjectAltName is added after them.
    package static func extensions(for spec: CertificateSpec) -> [(nid: Int32, value: String)] {
        var list: [(nid: Int32, value: String)] = [
            (NID_key_usage, "critical," + spec.usage.keyUsages.map(\.rawValue).joined(separator: ","))
        ]
        if !spec.usage.extendedKeyUsages.isEmpty {
            list.append((NID_ext_key_usage, spec.usage.extendedKeyUsages.map(\.rawValue).joined(separator: ",")))
        }
        list.append((NID_basic_constraints, spec.isCertificateAuthority ? "critical,CA:TRUE" : "critical,CA:FALSE"))
        // "keyid" without "always": an operator's CA without a subjectKeyIdentifier gives leaves no AKI, as in Go.
        list.append(
            spec.isCertificateAuthority
                ? (NID_subject_key_identifier, "hash")
                : (NID_authority_key_identifier, "keyid"))
        return list
    }

    /// A self-signed CA for `spec` on `key`: the spec's subject and SANs, `extensions(for:)`, SHA-256, a random
    /// 128-bit serial, valid `spec.validity(issuedAt:)` (backdated 5 minutes); throws `buildFailed` when `spec` is not
    /// a self-signed CA or its validity is not positive, `signFailed` (X509_set_pubkey, X509V3_EXT_conf_nid, X509_sign).
    package static func makeSelfSigned(
        _ spec: CertificateSpec, key: PrivateKey, issuedAt: Date
    ) throws -> CertificateAuthority {
        let action = "create self-signed CA \(spec.name) (\(spec.subject))"
        guard spec.isCertificateAuthority, spec.issuer == nil else {
            let cause =
                spec.isCertificateAuthority
                ? "its spec names the issuer \(spec.issuer ?? "")"
                : "its spec is a \(spec.usage.rawValue) certificate, not a CA"
            throw OpenSSLError(
                code: .buildFailed, action: action, cause: cause,
                hint: "Only a self-signed CA entry of the PKI tree can be made this way")
        }
        let built = try build(
            spec, publicKey: key.pointer, issuer: nil, signingKey: key, issuedAt: issuedAt, action: action)
        return try CertificateAuthority(certificate: built, key: key)
    }

    /// A certificate for `spec` on the public half of `subjectKey`, signed by this CA: the spec's subject and SANs
    /// (none is fine for a client), `extensions(for:)`, SHA-256, a random serial, valid `spec.validity(issuedAt:)`;
    /// throws `buildFailed` when `spec` is a CA or its validity is not positive, `signFailed` (X509_sign).
    package func issue(_ spec: CertificateSpec, for subjectKey: PrivateKey, issuedAt: Date) throws -> Certificate {
        let action = "issue certificate \(spec.name) (\(spec.subject)) with CA \(certificate.subject)"
        try Self.checkLeaf(spec, action: action)
        return try Self.build(
            spec, publicKey: subjectKey.pointer, issuer: certificate, signingKey: key,
            issuedAt: issuedAt, action: action)
    }

    /// Signs `request` as `spec`: the request's public key with everything else from the spec, as `issue` does;
    /// the request's own extensions are ignored. Throws `signatureInvalid` for a tampered request,
    /// `requestMismatch` when its subject or SANs are not the spec's, `buildFailed`, `signFailed`
    /// (X509_REQ_verify, X509_NAME_cmp, X509_sign).
    package func sign(_ request: CertificateSigningRequest, as spec: CertificateSpec, issuedAt: Date) throws
        -> Certificate
    {
        let action = "sign certificate request for \(spec.name) (\(spec.subject)) with CA \(certificate.subject)"
        try Self.checkLeaf(spec, action: action)
        try request.verifySignature()
        try Self.checkRequest(request, matches: spec, action: action)
        let publicKey = try OpenSSLError.check(X509_REQ_get0_pubkey(request.pointer), .decodeFailed, action)
        return try Self.build(
            spec, publicKey: publicKey, issuer: certificate, signingKey: key, issuedAt: issuedAt,
            action: action)
    }

    private static func checkLeaf(_ spec: CertificateSpec, action: String) throws {
        guard !spec.isCertificateAuthority else {
            throw OpenSSLError(
                code: .buildFailed, action: action, cause: "its spec is a CA",
                hint: "Make a CA entry self-signed; intermediate CAs are not part of the PKI tree")
        }
    }

    // A CA that signed whatever a request asked for would let a request for master02 or for system:masters pass as
    // master01's kubelet: the subject and names must be the ones the spec derives from the config.
    private static func checkRequest(
        _ request: CertificateSigningRequest, matches spec: CertificateSpec,
        action: String
    ) throws {
        let expected = try X509Support.makeName(spec.subject)
        defer { X509_NAME_free(expected) }
        var differences: [String] = []
        if X509_NAME_cmp(X509_REQ_get_subject_name(request.pointer), expected) != 0 {
            differences.append("its subject is \(request.subject), not \(spec.subject)")
        }
        let requested = Set(request.subjectAltNames)
        let missing = spec.subjectAltNames.filter { !requested.contains($0) }.sorted()
        let extra = requested.subtracting(spec.subjectAltNames).sorted()
        if !missing.isEmpty {
            differences.append("it lacks subjectAltNames \(missing.map(\.description).joined(separator: ", "))")
        }
        if !extra.isEmpty {
            let names = extra.map(\.description).joined(separator: ", ")
            differences.append("it asks for subjectAltNames \(names) the config does not derive")
        }
        guard differences.isEmpty else {
            throw OpenSSLError(
                code: .requestMismatch, action: action, cause: differences.joined(separator: "; "),
                hint: "Make the request again on the master it is for, "
                    + "with the same cluster config as the CA host")
        }
    }

    // One path for CAs and leaves; `issuer` nil means self-signed by `signingKey`.
    private static func build(
        _ spec: CertificateSpec, publicKey: OpaquePointer, issuer: Certificate?,
        signingKey: PrivateKey, issuedAt: Date, action: String
    ) throws -> Certificate {
        ERR_clear_error()
        guard spec.validityDays > 0 else {
            throw OpenSSLError(
                code: .buildFailed, action: action, cause: "validity of \(spec.validityDays) days",
                hint: "Give a positive number of days")
        }
        let name = try X509Support.makeName(spec.subject)
        defer { X509_NAME_free(name) }
        let subjectAltName =
            try spec.subjectAltNames.isEmpty
            ? nil : X509Support.makeSubjectAltNameExtension(spec.subjectAltNames)
        defer { if let subjectAltName { X509_EXTENSION_free(subjectAltName) } }
        let x509 = try OpenSSLError.check(X509_new(), .buildFailed, action)
        let issuerName = issuer.map { X509_get_subject_name($0.pointer) } ?? name
        guard X509_set_subject_name(x509, name) == 1, X509_set_issuer_name(x509, issuerName) == 1,
            X509_set_pubkey(x509, publicKey) == 1
        else {
            X509_free(x509)
            throw OpenSSLError.fromQueue(.buildFailed, action)
        }
        return try finish(
            x509, issuerCert: issuer, signingKey: signingKey, extensions: extensions(for: spec),
            copied: subjectAltName.map { [$0] } ?? [], window: spec.validity(issuedAt: issuedAt),
            action: action)
    }
}
