import AgentCore
import AgentRuntime
import COpenSSL
import FoundationEssentials

extension OpenSSLToolkit: SigningRequestReader {
    /// Parses the PEM request, verifies its self-signature, and reads subject, SANs and key algorithm
    /// (PEM_read_bio_X509_REQ, X509_REQ_verify, EVP_PKEY_get_base_id).
    package func readSigningRequest(_ pem: Data) throws -> CertificateRequestFacts {
        let request = try CertificateSigningRequest(pemData: pem, source: "CSR spec.request")
        try request.verifySignature()
        let names = request.requestedNames
        return CertificateRequestFacts(
            commonName: request.subjectCommonName, organizations: request.subjectOrganizations,
            subjectAltNames: names.dnsAndIP, otherSubjectAltNameKinds: names.otherKinds,
            keyAlgorithm: request.keyAlgorithm)
    }
}

extension CertificateSigningRequest {
    /// Every organizationName of the subject, in order (X509_NAME_get_index_by_NID, ASN1_STRING_to_UTF8).
    package var subjectOrganizations: [String] {
        let name = X509_REQ_get_subject_name(pointer)
        var result: [String] = []
        var index: Int32 = -1
        while true {
            index = X509_NAME_get_index_by_NID(name, NID_organizationName, index)
            guard index >= 0, let entry = X509_NAME_get_entry(name, index), let data = X509_NAME_ENTRY_get_data(entry)
            else { break }
            var utf8: UnsafeMutablePointer<UInt8>?
            let length = ASN1_STRING_to_UTF8(&utf8, data)
            guard length >= 0, let utf8 else {
                ERR_clear_error()
                continue
            }
            result.append(String(decoding: UnsafeBufferPointer(start: utf8, count: Int(length)), as: UTF8.self))
            copenssl_OPENSSL_free(utf8)
        }
        return result
    }

    /// The requested DNS and IP subjectAltNames, and the kinds of any others (`email`, `URI`, ...), in request
    /// order (X509V3_EXT_d2i, GENERAL_NAME_get0_value). Frees what it decodes: the supervisor reads requests for months.
    package var requestedNames: (dnsAndIP: [SubjectAltName], otherKinds: [String]) {
        guard let ext = subjectAltNameExtension() else { return ([], []) }
        defer { X509_EXTENSION_free(ext) }
        guard let names = X509V3_EXT_d2i(ext) else {
            ERR_clear_error()
            return ([], ["unreadable"])
        }
        let stack = OpaquePointer(names)
        defer { GENERAL_NAMES_free(stack) }
        var kinds: [String] = []
        for index in 0..<copenssl_sk_GENERAL_NAME_num(stack) {
            guard let entry = copenssl_sk_GENERAL_NAME_value(stack, index) else { continue }
            var type: Int32 = 0
            _ = GENERAL_NAME_get0_value(entry, &type)
            switch type {
            case GEN_DNS, GEN_IPADD: continue
            case GEN_EMAIL: kinds.append("email")
            case GEN_URI: kinds.append("URI")
            case GEN_OTHERNAME: kinds.append("otherName")
            case GEN_DIRNAME: kinds.append("directoryName")
            default: kinds.append("type-\(type)")
            }
        }
        return (X509Support.subjectAltNames(of: stack), kinds)
    }

    /// The public key's algorithm (X509_REQ_get0_pubkey, EVP_PKEY_get_base_id, EVP_PKEY_get0_type_name).
    package var keyAlgorithm: CertificateRequestFacts.KeyAlgorithm {
        guard let key = X509_REQ_get0_pubkey(pointer) else { return .other("unreadable") }
        switch EVP_PKEY_get_base_id(key) {
        case EVP_PKEY_RSA: return .rsa
        case EVP_PKEY_EC: return .ecdsa
        case EVP_PKEY_ED25519: return .ed25519
        default: return .other(EVP_PKEY_get0_type_name(key).map { String(cString: $0) } ?? "unknown")
        }
    }
}
