import AgentCore
import AgentRuntime
import COpenSSL
import Foundation

/// Owner of one reference to an X.509 certificate (X509), released with X509_free.
package final class Certificate {
    /// The X509 handle; valid for the lifetime of this object.
    package let pointer: OpaquePointer
    /// Start of the validity period (X509_get0_notBefore).
    package let notBefore: Date
    /// End of the validity period (X509_get0_notAfter).
    package let notAfter: Date

    /// Takes ownership of one reference to `pointer`; throws `decodeFailed` when its validity dates are unreadable.
    package init(taking pointer: OpaquePointer) throws {
        self.pointer = pointer
        guard let start = X509Support.date(X509_get0_notBefore(pointer)),
            let end = X509Support.date(X509_get0_notAfter(pointer))
        else {
            X509_free(pointer)
            throw OpenSSLError.fromQueue(
                .decodeFailed, "read validity dates of certificate",
                fallback: "notBefore or notAfter is not a valid time")
        }
        notBefore = start
        notAfter = end
    }

    /// Shares a certificate owned elsewhere by taking a new reference (X509_up_ref).
    package convenience init(retaining pointer: OpaquePointer) throws {
        X509_up_ref(pointer)
        try self.init(taking: pointer)
    }

    deinit {
        X509_free(pointer)
    }

    /// The first certificate of a PEM file; throws `decodeFailed` when there is none (PEM_read_bio_X509).
    package convenience init(pemData: Data, source: String = "certificate") throws {
        guard let first = try Certificate.loadChain(pemData: pemData, source: source).first else {
            throw OpenSSLError(code: .decodeFailed, action: "read \(source)", cause: "no certificate found", hint: "")
        }
        try self.init(retaining: first.pointer)
    }

    /// Every certificate of a PEM file in file order (leaf first for apiserver.crt);
    /// throws `decodeFailed` when there is none or a block is damaged (PEM_read_bio_X509).
    package static func loadChain(pemData: Data, source: String = "certificate file") throws -> [Certificate] {
        ERR_clear_error()
        let bio = try MemoryBIO(reading: pemData)
        var chain: [Certificate] = []
        while let cert = PEM_read_bio_X509(bio.pointer, nil, nil, nil) {
            chain.append(try Certificate(taking: cert))
        }
        // Running out of input shows up as "no start line"; anything else is a damaged block.
        let last = ERR_peek_last_error()
        if last != 0 && !(ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE) {
            throw OpenSSLError.fromQueue(.decodeFailed, "read \(source)", hint: "The file holds a damaged PEM block")
        }
        ERR_clear_error()
        guard !chain.isEmpty else {
            throw OpenSSLError(
                code: .decodeFailed, action: "read \(source)", cause: "no PEM block BEGIN CERTIFICATE found",
                hint: "Expected one or more PEM certificates")
        }
        return chain
    }

    /// The certificate as PEM; throws `encodeFailed` (PEM_write_bio_X509).
    package func pemData() throws -> Data {
        let bio = try MemoryBIO()
        try OpenSSLError.check(
            PEM_write_bio_X509(bio.pointer, pointer), .encodeFailed, "encode certificate \(subject) as PEM")
        return bio.contents()
    }

    /// Concatenated PEM of several certificates, e.g. leaf then CA for apiserver.crt; throws `encodeFailed`.
    package static func pemData(of chain: [Certificate]) throws -> Data {
        try chain.reduce(into: Data()) { $0.append(try $1.pemData()) }
    }

    /// The subject in RFC 2253 form, e.g. "CN=kube-apiserver" (X509_get_subject_name).
    package var subject: String { X509Support.rfc2253(X509_get_subject_name(pointer)) }

    /// The subject's commonName, or nil (X509_get_subject_name).
    package var subjectCommonName: String? { X509Support.commonName(X509_get_subject_name(pointer)) }

    /// The issuer in RFC 2253 form (X509_get_issuer_name).
    package var issuer: String { X509Support.rfc2253(X509_get_issuer_name(pointer)) }

    /// The serial number as uppercase hex without separators (X509_get0_serialNumber, BN_bn2hex).
    package var serialNumber: String {
        guard let bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(pointer), nil) else { return "" }
        defer { BN_free(bn) }
        guard let hex = BN_bn2hex(bn) else { return "" }
        defer { copenssl_OPENSSL_free(hex) }
        return String(cString: hex)
    }

    /// DNS and IP subjectAltNames in certificate order (X509_get_ext_d2i NID_subject_alt_name).
    package var subjectAltNames: [SubjectAltName] {
        guard let names = X509_get_ext_d2i(pointer, NID_subject_alt_name, nil, nil) else { return [] }
        let stack = OpaquePointer(names)
        defer { GENERAL_NAMES_free(stack) }
        return X509Support.subjectAltNames(of: stack)
    }

    /// True when basicConstraints says CA:TRUE (X509_get_extension_flags, EXFLAG_CA).
    package var isCA: Bool { X509_get_extension_flags(pointer) & UInt32(EXFLAG_CA) != 0 }

    /// The keyUsage bits of `KeyUsage` the certificate has, in RFC 5280 order; empty without the extension
    /// (X509_get_key_usage).
    package var keyUsages: [KeyUsage] {
        let bits = X509_get_key_usage(pointer)
        guard bits != UInt32.max else { return [] }
        let known: [(KeyUsage, Int32)] = [
            (.digitalSignature, KU_DIGITAL_SIGNATURE), (.keyEncipherment, KU_KEY_ENCIPHERMENT),
            (.keyCertSign, KU_KEY_CERT_SIGN),
        ]
        return known.filter { bits & UInt32($0.1) != 0 }.map(\.0)
    }

    /// The extendedKeyUsage purposes of `ExtendedKeyUsage` the certificate has; empty without the extension
    /// (X509_get_extension_flags EXFLAG_XKUSAGE, X509_get_extended_key_usage).
    package var extendedKeyUsages: [ExtendedKeyUsage] {
        guard X509_get_extension_flags(pointer) & UInt32(EXFLAG_XKUSAGE) != 0 else { return [] }
        let bits = X509_get_extended_key_usage(pointer)
        let known: [(ExtendedKeyUsage, Int32)] = [(.serverAuth, XKU_SSL_SERVER), (.clientAuth, XKU_SSL_CLIENT)]
        return known.filter { bits & UInt32($0.1) != 0 }.map(\.0)
    }

    /// True when issuer and subject are the same name (X509_NAME_cmp).
    package var isSelfIssued: Bool { X509_NAME_cmp(X509_get_subject_name(pointer), X509_get_issuer_name(pointer)) == 0 }

    /// SHA-256 fingerprint as colon-separated uppercase hex, as `openssl x509 -fingerprint -sha256` prints (X509_digest).
    package var sha256Fingerprint: String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard X509_digest(pointer, EVP_sha256(), &digest, &length) == 1 else { return "" }
        return digest.prefix(Int(length)).map { String(format: "%02X", $0) }.joined(separator: ":")
    }

    /// The certified public key as DER SubjectPublicKeyInfo; throws `decodeFailed` or `encodeFailed` (X509_get0_pubkey, i2d_PUBKEY).
    package func publicKeyDER() throws -> Data {
        let key = try OpenSSLError.check(
            X509_get0_pubkey(pointer), .decodeFailed, "read public key of certificate \(subject)")
        return try PrivateKey.subjectPublicKeyInfoDER(of: key)
    }

    /// True when `key` is the private half of this certificate's public key (X509_check_private_key).
    package func matches(_ key: PrivateKey) -> Bool {
        let result = X509_check_private_key(pointer, key.pointer) == 1
        // A mismatch leaves "key values mismatch" in the queue; the Bool already says it.
        ERR_clear_error()
        return result
    }
}
