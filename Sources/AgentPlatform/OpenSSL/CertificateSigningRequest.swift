import AgentCore
import AgentRuntime
import COpenSSL
import FoundationEssentials

/// Owner of a PKCS#10 request (X509_REQ), freed with X509_REQ_free.
package final class CertificateSigningRequest {
    /// The X509_REQ handle; valid for the lifetime of this object.
    package let pointer: OpaquePointer

    /// Takes ownership of `pointer`.
    package init(taking pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        X509_REQ_free(pointer)
    }

    /// The extension set the API server request carries, as the document's openssl.cnf `v3_req` plus serverAuth.
    package static let requestedExtensions: [(nid: Int32, value: String)] = [
        (NID_basic_constraints, "CA:FALSE"),
        (NID_key_usage, "nonRepudiation,digitalSignature,keyEncipherment"),
        (NID_ext_key_usage, "serverAuth"),
    ]

    /// A SHA-256 request for `CN=commonName` carrying `requestedExtensions` and `subjectAltNames`;
    /// throws `buildFailed` or `signFailed` (X509_REQ_set_pubkey, X509_REQ_add_extensions, X509_REQ_sign).
    package static func make(
        key: PrivateKey, commonName: String = "kube-apiserver",
        subjectAltNames: [SubjectAltName]
    ) throws -> CertificateSigningRequest {
        ERR_clear_error()
        let action = "build certificate request for CN=\(commonName)"
        let request = CertificateSigningRequest(taking: try OpenSSLError.check(X509_REQ_new(), .buildFailed, action))
        try OpenSSLError.check(X509_REQ_set_version(request.pointer, Int(X509_REQ_VERSION_1)), .buildFailed, action)
        let name = try X509Support.makeName(commonName: commonName)
        defer { X509_NAME_free(name) }
        try OpenSSLError.check(X509_REQ_set_subject_name(request.pointer, name), .buildFailed, action)
        try OpenSSLError.check(X509_REQ_set_pubkey(request.pointer, key.pointer), .buildFailed, action)

        let extensions = try OpenSSLError.check(copenssl_sk_X509_EXTENSION_new_null(), .buildFailed, action)
        defer { copenssl_sk_X509_EXTENSION_pop_free(extensions) }
        // Each extension goes onto the stack as soon as it exists, so pop_free releases it on any later error.
        let makers: [() throws -> OpaquePointer] =
            requestedExtensions.map { item in
                { try X509Support.makeExtension(item.nid, item.value, context: nil) }
            } + [{ try X509Support.makeSubjectAltNameExtension(subjectAltNames) }]
        for make in makers {
            let ext = try make()
            guard copenssl_sk_X509_EXTENSION_push(extensions, ext) > 0 else {
                X509_EXTENSION_free(ext)
                throw OpenSSLError.fromQueue(.buildFailed, action)
            }
        }
        try OpenSSLError.check(X509_REQ_add_extensions(request.pointer, extensions), .buildFailed, action)
        // X509_REQ_sign returns the signature length, not 1.
        guard X509_REQ_sign(request.pointer, key.pointer, EVP_sha256()) > 0 else {
            throw OpenSSLError.fromQueue(.signFailed, "sign certificate request for CN=\(commonName)")
        }
        return request
    }

    /// A SHA-256 request carrying `spec`'s subject (O then CN) and, when it has any, its subjectAltNames; no usage is
    /// requested, the CA adds the spec's. Throws `buildFailed` or `signFailed` (X509_REQ_set_subject_name,
    /// X509_REQ_add_extensions, X509_REQ_sign).
    package static func make(key: PrivateKey, spec: CertificateSpec) throws -> CertificateSigningRequest {
        ERR_clear_error()
        let action = "build certificate request for \(spec.name) (\(spec.subject))"
        let request = CertificateSigningRequest(taking: try OpenSSLError.check(X509_REQ_new(), .buildFailed, action))
        try OpenSSLError.check(X509_REQ_set_version(request.pointer, Int(X509_REQ_VERSION_1)), .buildFailed, action)
        let name = try X509Support.makeName(spec.subject)
        defer { X509_NAME_free(name) }
        try OpenSSLError.check(X509_REQ_set_subject_name(request.pointer, name), .buildFailed, action)
        try OpenSSLError.check(X509_REQ_set_pubkey(request.pointer, key.pointer), .buildFailed, action)
        if !spec.subjectAltNames.isEmpty {
            let extensions = try OpenSSLError.check(copenssl_sk_X509_EXTENSION_new_null(), .buildFailed, action)
            defer { copenssl_sk_X509_EXTENSION_pop_free(extensions) }
            let ext = try X509Support.makeSubjectAltNameExtension(spec.subjectAltNames)
            guard copenssl_sk_X509_EXTENSION_push(extensions, ext) > 0 else {
                X509_EXTENSION_free(ext)
                throw OpenSSLError.fromQueue(.buildFailed, action)
            }
            try OpenSSLError.check(X509_REQ_add_extensions(request.pointer, extensions), .buildFailed, action)
        }
        // X509_REQ_sign returns the signature length, not 1.
        guard X509_REQ_sign(request.pointer, key.pointer, EVP_sha256()) > 0 else {
            throw OpenSSLError.fromQueue(.signFailed, "sign certificate request for \(spec.name) (\(spec.subject))")
        }
        return request
    }

    /// Parses a PEM request ("BEGIN CERTIFICATE REQUEST"); throws `decodeFailed` (PEM_read_bio_X509_REQ).
    package convenience init(pemData: Data, source: String = "certificate request") throws {
        ERR_clear_error()
        let bio = try MemoryBIO(reading: pemData)
        guard let request = PEM_read_bio_X509_REQ(bio.pointer, nil, nil, nil) else {
            throw OpenSSLError.fromQueue(
                .decodeFailed, "read \(source)",
                hint: "Expected a PEM block BEGIN CERTIFICATE REQUEST")
        }
        self.init(taking: request)
    }

    /// The request as PEM; throws `encodeFailed` (PEM_write_bio_X509_REQ).
    package func pemData() throws -> Data {
        let bio = try MemoryBIO()
        try OpenSSLError.check(
            PEM_write_bio_X509_REQ(bio.pointer, pointer), .encodeFailed, "encode certificate request as PEM")
        return bio.contents()
    }

    /// The subject in RFC 2253 form, e.g. "CN=kube-apiserver" (X509_REQ_get_subject_name).
    package var subject: String {
        X509Support.rfc2253(X509_REQ_get_subject_name(pointer))
    }

    /// The subject's commonName, or nil (X509_REQ_get_subject_name).
    package var subjectCommonName: String? {
        X509Support.commonName(X509_REQ_get_subject_name(pointer))
    }

    /// The requested subjectAltNames in request order; empty when none are requested (X509_REQ_get_extensions, X509V3_EXT_d2i).
    /// (`requestedNames` frees the extension copy, which this once leaked.)
    package var subjectAltNames: [SubjectAltName] { requestedNames.dnsAndIP }

    /// The public key as DER SubjectPublicKeyInfo; throws `decodeFailed` or `encodeFailed` (X509_REQ_get0_pubkey, i2d_PUBKEY).
    package func publicKeyDER() throws -> Data {
        let key = try OpenSSLError.check(
            X509_REQ_get0_pubkey(pointer), .decodeFailed, "read public key of certificate request")
        return try PrivateKey.subjectPublicKeyInfoDER(of: key)
    }

    /// Checks the request's self-signature with its own public key; throws `signatureInvalid` (X509_REQ_verify).
    package func verifySignature() throws {
        ERR_clear_error()
        guard let key = X509_REQ_get0_pubkey(pointer), X509_REQ_verify(pointer, key) == 1 else {
            throw OpenSSLError.fromQueue(
                .signatureInvalid, "verify signature of certificate request \(subject)",
                fallback: "signature does not match the request's public key",
                hint: "The request was altered or damaged; create it again")
        }
    }

    /// A copy of the requested subjectAltName extension, caller frees with X509_EXTENSION_free (X509_REQ_get_extensions, X509_EXTENSION_dup).
    package func subjectAltNameExtension() -> OpaquePointer? {
        guard let extensions = X509_REQ_get_extensions(pointer) else {
            ERR_clear_error()
            return nil
        }
        defer { copenssl_sk_X509_EXTENSION_pop_free(extensions) }
        for index in 0..<copenssl_sk_X509_EXTENSION_num(extensions) {
            guard let ext = copenssl_sk_X509_EXTENSION_value(extensions, index),
                OBJ_obj2nid(X509_EXTENSION_get_object(ext)) == NID_subject_alt_name
            else { continue }
            return X509_EXTENSION_dup(ext)
        }
        return nil
    }
}
