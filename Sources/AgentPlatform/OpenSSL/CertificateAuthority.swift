import AgentCore
import AgentRuntime
import COpenSSL
import FoundationEssentials

/// A CA certificate with its private key: signs API server requests and creates self-signed roots.
package struct CertificateAuthority {
    /// The CA certificate whose subject becomes the issuer of what it signs.
    package let certificate: Certificate
    /// The CA's private key.
    package let key: PrivateKey

    /// Pairs a CA certificate and key; throws `keyMismatch` when the key is not the certificate's,
    /// `buildFailed` when the certificate is not a CA (X509_check_private_key, basicConstraints).
    package init(certificate: Certificate, key: PrivateKey) throws {
        guard certificate.isCA else {
            throw OpenSSLError(
                code: .buildFailed, action: "use \(certificate.subject) as certificate authority",
                cause: "its basicConstraints does not say CA:TRUE",
                hint: "Pass the CA certificate (ca.crt), not a server certificate")
        }
        guard certificate.matches(key) else {
            throw OpenSSLError(
                code: .keyMismatch, action: "use \(certificate.subject) as certificate authority",
                cause: "the CA key does not belong to the CA certificate",
                hint: "Pass the ca.key that was used to create this ca.crt")
        }
        self.certificate = certificate
        self.key = key
    }

    /// Extensions of every certificate this CA issues; the request's subjectAltName is copied beside them.
    package static let leafExtensions: [(nid: Int32, value: String)] = [
        (NID_basic_constraints, "critical,CA:FALSE"),
        (NID_key_usage, "critical,nonRepudiation,digitalSignature,keyEncipherment"),
        (NID_ext_key_usage, "serverAuth"),
        (NID_subject_key_identifier, "hash"),
        (NID_authority_key_identifier, "keyid:always"),
    ]

    /// Extensions of a self-signed root.
    package static let caExtensions: [(nid: Int32, value: String)] = [
        (NID_basic_constraints, "critical,CA:TRUE"),
        (NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign"),
        (NID_subject_key_identifier, "hash"),
        // SKI must already be present when AKI is computed from the (self) issuer.
        (NID_authority_key_identifier, "keyid:always"),
    ]

    /// A self-signed root CA valid for `validityDays` from `notBefore`, SHA-256, random 128-bit serial;
    /// throws `buildFailed` or `signFailed` (X509_set_pubkey, X509V3_EXT_conf_nid, X509_sign).
    package static func makeSelfSigned(
        key: PrivateKey, commonName: String, validityDays: Int,
        notBefore: Date = Date()
    ) throws -> CertificateAuthority {
        ERR_clear_error()
        let action = "create self-signed CA CN=\(commonName)"
        let window = try legacyWindow(validityDays: validityDays, notBefore: notBefore, action: action)
        let x509 = try OpenSSLError.check(X509_new(), .buildFailed, action)
        let name: OpaquePointer
        do {
            name = try X509Support.makeName(commonName: commonName)
        } catch {
            X509_free(x509)
            throw error
        }
        defer { X509_NAME_free(name) }
        guard X509_set_subject_name(x509, name) == 1, X509_set_issuer_name(x509, name) == 1,
            X509_set_pubkey(x509, key.pointer) == 1
        else {
            X509_free(x509)
            throw OpenSSLError.fromQueue(.buildFailed, action)
        }
        let built = try finish(
            x509, issuerCert: nil, signingKey: key, extensions: caExtensions,
            copied: [], window: window, action: action)
        return try CertificateAuthority(certificate: built, key: key)
    }

    /// Issues a certificate for `request`: its subject, public key and subjectAltNames, our `leafExtensions`, SHA-256,
    /// a random 128-bit serial, valid `validityDays` from `notBefore`; throws `signatureInvalid` for a tampered request,
    /// `buildFailed` when it names no subjectAltName, `signFailed` (X509_REQ_verify, X509_sign).
    package func sign(_ request: CertificateSigningRequest, validityDays: Int, notBefore: Date = Date()) throws
        -> Certificate
    {
        try request.verifySignature()
        ERR_clear_error()
        let action = "sign certificate for \(request.subject) with CA \(certificate.subject)"
        guard let sanExtension = request.subjectAltNameExtension() else {
            throw OpenSSLError(
                code: .buildFailed, action: action, cause: "the request names no subjectAltName",
                hint: "Create the request with master-agent so it carries the derived names")
        }
        defer { X509_EXTENSION_free(sanExtension) }
        let window = try Self.legacyWindow(validityDays: validityDays, notBefore: notBefore, action: action)
        guard let x509 = X509_new() else {
            throw OpenSSLError.fromQueue(.buildFailed, action)
        }
        guard X509_set_subject_name(x509, X509_REQ_get_subject_name(request.pointer)) == 1,
            X509_set_issuer_name(x509, X509_get_subject_name(certificate.pointer)) == 1,
            let requestKey = X509_REQ_get0_pubkey(request.pointer), X509_set_pubkey(x509, requestKey) == 1
        else {
            X509_free(x509)
            throw OpenSSLError.fromQueue(.buildFailed, action)
        }
        return try Self.finish(
            x509, issuerCert: certificate, signingKey: key, extensions: Self.leafExtensions,
            copied: [sanExtension], window: window, action: action)
    }

    // The legacy profile's window: from `notBefore` (whole seconds), no backdating.
    private static func legacyWindow(
        validityDays: Int, notBefore: Date,
        action: String
    ) throws -> (notBefore: Date, notAfter: Date) {
        guard validityDays > 0 else {
            throw OpenSSLError(
                code: .buildFailed, action: action, cause: "validity of \(validityDays) days",
                hint: "Give a positive number of days")
        }
        let start = Date(timeIntervalSince1970: notBefore.timeIntervalSince1970.rounded(.down))
        return (start, start.addingTimeInterval(TimeInterval(validityDays) * 86_400))
    }

    // Shared tail of every path (the spec-driven ones live in CertificateAuthority+CertificateSpec.swift):
    // takes ownership of `x509` whatever happens.
    static func finish(
        _ x509: OpaquePointer, issuerCert: Certificate?, signingKey: PrivateKey,
        extensions: [(nid: Int32, value: String)], copied: [OpaquePointer],
        window: (notBefore: Date, notAfter: Date), action: String
    ) throws -> Certificate {
        // Wrapping first makes deinit free x509 on every error path below.
        var owned: OpaquePointer? = x509
        defer { if let owned { X509_free(owned) } }
        guard X509_set_version(x509, Int(X509_VERSION_3)) == 1 else {
            throw OpenSSLError.fromQueue(.buildFailed, action)
        }
        try setRandomSerial(x509, action: action)
        try X509Support.set(X509_getm_notBefore(x509), to: window.notBefore, action: action)
        try X509Support.set(X509_getm_notAfter(x509), to: window.notAfter, action: action)

        var context = X509V3_CTX()
        X509V3_set_ctx(&context, issuerCert?.pointer ?? x509, x509, nil, nil, 0)
        for (nid, value) in extensions {
            let ext = try X509Support.makeExtension(nid, value, context: &context)
            defer { X509_EXTENSION_free(ext) }
            guard X509_add_ext(x509, ext, -1) == 1 else { throw OpenSSLError.fromQueue(.buildFailed, action) }
        }
        for ext in copied where X509_add_ext(x509, ext, -1) != 1 {
            throw OpenSSLError.fromQueue(.buildFailed, action)
        }
        // X509_sign returns the signature length, not 1.
        guard X509_sign(x509, signingKey.pointer, EVP_sha256()) > 0 else {
            throw OpenSSLError.fromQueue(.signFailed, action)
        }
        owned = nil
        return try Certificate(taking: x509)
    }

    // 128 random bits, top bit clear (positive) and the next set (always 16 octets, so serials sort and print alike).
    private static func setRandomSerial(_ x509: OpaquePointer, action: String) throws {
        var bytes = [UInt8](repeating: 0, count: 16)
        try OpenSSLError.check(RAND_bytes(&bytes, Int32(bytes.count)), .buildFailed, action)
        bytes[0] &= 0x7f
        bytes[0] |= 0x01 << 6
        guard let bn = BN_bin2bn(bytes, Int32(bytes.count), nil) else {
            throw OpenSSLError.fromQueue(.buildFailed, action)
        }
        defer { BN_free(bn) }
        guard BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x509)) != nil else {
            throw OpenSSLError.fromQueue(.buildFailed, action)
        }
    }
}
