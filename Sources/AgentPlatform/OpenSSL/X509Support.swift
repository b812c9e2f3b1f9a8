import AgentCore
import AgentRuntime
import COpenSSL
import FoundationEssentials
import Glibc

/// Helpers shared by requests and certificates: names, extensions, subjectAltName and time conversion.
package enum X509Support {
    /// A new X509_NAME holding only `CN=commonName`; the caller frees it with X509_NAME_free (X509_NAME_add_entry_by_NID).
    package static func makeName(commonName: String) throws -> OpaquePointer {
        try makeName(CertificateSubject(commonName: commonName))
    }

    /// A new X509_NAME for `subject`: one RDN per O, then CN, as Go's crypto/x509 (so kubeadm) orders them; the
    /// caller frees it with X509_NAME_free; throws `buildFailed` (X509_NAME_add_entry_by_NID).
    package static func makeName(_ subject: CertificateSubject) throws -> OpaquePointer {
        let action = "build subject name \(subject)"
        let name = try OpenSSLError.check(X509_NAME_new(), .buildFailed, action)
        let entries = subject.organizations.map { (NID_organizationName, $0) } + [(NID_commonName, subject.commonName)]
        for (nid, value) in entries {
            let bytes = Array(value.utf8)
            guard X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8, bytes, Int32(bytes.count), -1, 0) == 1 else {
                X509_NAME_free(name)
                throw OpenSSLError.fromQueue(.buildFailed, action)
            }
        }
        return name
    }

    /// The name in RFC 2253 form, e.g. "CN=kube-apiserver" (X509_NAME_print_ex).
    package static func rfc2253(_ name: OpaquePointer?) -> String {
        guard let name, let bio = try? MemoryBIO() else { return "" }
        guard X509_NAME_print_ex(bio.pointer, name, 0, copenssl_XN_FLAG_RFC2253()) >= 0 else {
            ERR_clear_error()
            return ""
        }
        return String(decoding: bio.contents(), as: UTF8.self)
    }

    /// The first commonName attribute as UTF-8, or nil when there is none (X509_NAME_get_index_by_NID, ASN1_STRING_to_UTF8).
    package static func commonName(_ name: OpaquePointer?) -> String? {
        guard let name else { return nil }
        let index = X509_NAME_get_index_by_NID(name, NID_commonName, -1)
        guard index >= 0, let entry = X509_NAME_get_entry(name, index),
            let data = X509_NAME_ENTRY_get_data(entry)
        else { return nil }
        var utf8: UnsafeMutablePointer<UInt8>?
        let length = ASN1_STRING_to_UTF8(&utf8, data)
        guard length >= 0, let utf8 else {
            ERR_clear_error()
            return nil
        }
        defer { copenssl_OPENSSL_free(utf8) }
        return String(decoding: UnsafeBufferPointer(start: utf8, count: Int(length)), as: UTF8.self)
    }

    /// An extension from its openssl.cnf text, e.g. (NID_key_usage, "critical,digitalSignature") (X509V3_EXT_conf_nid).
    /// The caller frees it with X509_EXTENSION_free; `context` supplies issuer/subject for SKI and AKI.
    package static func makeExtension(_ nid: Int32, _ value: String, context: UnsafeMutablePointer<X509V3_CTX>?) throws
        -> OpaquePointer
    {
        let name = OBJ_nid2sn(nid).map { String(cString: $0) } ?? "nid \(nid)"
        return try OpenSSLError.check(
            X509V3_EXT_conf_nid(nil, context, nid, value), .buildFailed,
            "build extension \(name)=\(value)")
    }

    /// A subjectAltName extension built entry by entry, so no name is ever parsed as config syntax (X509V3_EXT_i2d).
    package static func makeSubjectAltNameExtension(_ names: [SubjectAltName]) throws -> OpaquePointer {
        let action = "build subjectAltName extension"
        guard !names.isEmpty else {
            throw OpenSSLError(code: .buildFailed, action: action, cause: "no names given", hint: "")
        }
        let stack = try OpenSSLError.check(GENERAL_NAMES_new(), .buildFailed, action)
        defer { GENERAL_NAMES_free(stack) }
        for san in names {
            let entry = try makeGeneralName(san)
            guard copenssl_sk_GENERAL_NAME_push(stack, entry) > 0 else {
                GENERAL_NAME_free(entry)
                throw OpenSSLError.fromQueue(.buildFailed, action)
            }
        }
        return try OpenSSLError.check(
            X509V3_EXT_i2d(NID_subject_alt_name, 0, UnsafeMutableRawPointer(stack)), .buildFailed, action)
    }

    private static func makeGeneralName(_ san: SubjectAltName) throws -> UnsafeMutablePointer<GENERAL_NAME> {
        let action = "encode subjectAltName \(san)"
        let entry = try OpenSSLError.check(GENERAL_NAME_new(), .buildFailed, action)
        switch san {
        case .dns(let name):
            // IA5String holds ASCII only; anything else would be silently mangled.
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
                GENERAL_NAME_free(entry)
                throw OpenSSLError(
                    code: .buildFailed, action: action, cause: "a DNS name must be non-empty printable ASCII",
                    hint: "Use the IDNA (xn--) form for international names")
            }
            guard let value = ASN1_IA5STRING_new() else {
                GENERAL_NAME_free(entry)
                throw OpenSSLError.fromQueue(.buildFailed, action)
            }
            let bytes = Array(name.utf8)
            guard ASN1_STRING_set(value, bytes, Int32(bytes.count)) == 1 else {
                ASN1_IA5STRING_free(value)
                GENERAL_NAME_free(entry)
                throw OpenSSLError.fromQueue(.buildFailed, action)
            }
            GENERAL_NAME_set0_value(entry, GEN_DNS, UnsafeMutableRawPointer(value))
        case .ip(let address):
            guard let value = a2i_IPADDRESS(address) else {
                ERR_clear_error()
                GENERAL_NAME_free(entry)
                throw OpenSSLError(
                    code: .buildFailed, action: action, cause: "\"\(address)\" is not an IPv4 or IPv6 address", hint: ""
                )
            }
            GENERAL_NAME_set0_value(entry, GEN_IPADD, UnsafeMutableRawPointer(value))
        }
        return entry
    }

    /// Reads DNS and IP entries of a decoded GENERAL_NAMES stack (GENERAL_NAME_get0_value); other kinds are skipped.
    package static func subjectAltNames(of stack: OpaquePointer) -> [SubjectAltName] {
        var result: [SubjectAltName] = []
        for index in 0..<copenssl_sk_GENERAL_NAME_num(stack) {
            guard let entry = copenssl_sk_GENERAL_NAME_value(stack, index) else { continue }
            var type: Int32 = 0
            guard let raw = GENERAL_NAME_get0_value(entry, &type) else { continue }
            let string = raw.assumingMemoryBound(to: ASN1_STRING.self)
            let length = Int(ASN1_STRING_length(string))
            guard let data = ASN1_STRING_get0_data(string) else { continue }
            let bytes = Array(UnsafeBufferPointer(start: data, count: length))
            switch type {
            case GEN_DNS:
                result.append(.dns(String(decoding: bytes, as: UTF8.self)))
            case GEN_IPADD:
                if let text = ipText(bytes) { result.append(.ip(text)) }
            default:
                continue
            }
        }
        return result
    }

    // inet_ntop gives the canonical text: no leading zeros in IPv4, compressed IPv6.
    private static func ipText(_ bytes: [UInt8]) -> String? {
        let family: Int32
        switch bytes.count {
        case 4: family = AF_INET
        case 16: family = AF_INET6
        default: return nil
        }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(family, bytes, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        return String(cString: buffer)
    }

    /// Converts an ASN1_TIME to a Date (ASN1_TIME_to_tm, timegm).
    package static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date? {
        guard let time else { return nil }
        var parts = tm()
        guard ASN1_TIME_to_tm(time, &parts) == 1 else {
            ERR_clear_error()
            return nil
        }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }

    /// Writes `date` (whole seconds) into an ASN1_TIME owned by a certificate (ASN1_TIME_set).
    package static func set(_ time: UnsafeMutablePointer<ASN1_TIME>?, to date: Date, action: String) throws {
        guard let time, ASN1_TIME_set(time, time_t(date.timeIntervalSince1970.rounded(.down))) != nil else {
            throw OpenSSLError.fromQueue(.buildFailed, action)
        }
    }
}
