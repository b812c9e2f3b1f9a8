import AgentCore
import AgentRuntime
import COpenSSL
import FoundationEssentials

/// Owner of an EVP_PKEY holding a private key (RSA or EC), freed with EVP_PKEY_free.
package final class PrivateKey {
    /// The EVP_PKEY handle; valid for the lifetime of this object.
    package let pointer: OpaquePointer

    /// Takes ownership of one reference to `pointer`.
    package init(taking pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        EVP_PKEY_free(pointer)
    }

    /// Generates a fresh key of `type`; throws `keyGenerationFailed` (EVP_PKEY_keygen_init, EVP_PKEY_generate).
    package static func generate(_ type: KeyType) throws -> PrivateKey {
        ERR_clear_error()
        let action = "generate \(type.rawValue) key"
        let algorithm = type == .ecdsaP256 ? "EC" : "RSA"
        let ctx = try OpenSSLError.check(EVP_PKEY_CTX_new_from_name(nil, algorithm, nil), .keyGenerationFailed, action)
        defer { EVP_PKEY_CTX_free(ctx) }
        try OpenSSLError.check(EVP_PKEY_keygen_init(ctx), .keyGenerationFailed, action)
        switch type {
        case .rsa2048:
            try OpenSSLError.check(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048), .keyGenerationFailed, action)
        case .rsa4096:
            try OpenSSLError.check(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 4096), .keyGenerationFailed, action)
        case .ecdsaP256:
            try OpenSSLError.check(EVP_PKEY_CTX_set_group_name(ctx, "P-256"), .keyGenerationFailed, action)
        }
        var key: OpaquePointer?
        try OpenSSLError.check(EVP_PKEY_generate(ctx, &key), .keyGenerationFailed, action)
        return PrivateKey(taking: try OpenSSLError.check(key, .keyGenerationFailed, action))
    }

    /// Parses a PEM private key (PKCS#8 or traditional RSA/EC); throws `decodeFailed`, never prompts for a passphrase (PEM_read_bio_PrivateKey).
    package convenience init(pemData: Data, source: String = "private key") throws {
        ERR_clear_error()
        let bio = try MemoryBIO(reading: pemData)
        // A callback that supplies no passphrase keeps OpenSSL from prompting on the terminal.
        guard let key = PEM_read_bio_PrivateKey(bio.pointer, nil, { _, _, _, _ in 0 }, nil) else {
            throw OpenSSLError.fromQueue(
                .decodeFailed, "read \(source)",
                hint: "Expected an unencrypted PEM private key (BEGIN PRIVATE KEY or BEGIN RSA/EC PRIVATE KEY)")
        }
        self.init(taking: key)
    }

    /// The key as unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY"); throws `encodeFailed` (PEM_write_bio_PrivateKey).
    package func pemData() throws -> Data {
        let bio = try MemoryBIO()
        try OpenSSLError.check(
            PEM_write_bio_PrivateKey(bio.pointer, pointer, nil, nil, 0, nil, nil), .encodeFailed,
            "encode private key as PEM")
        return bio.contents()
    }

    /// The public half as SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY"), as `openssl pkey -pubout` writes it;
    /// throws `encodeFailed` (PEM_write_bio_PUBKEY).
    package func publicKeyPEM() throws -> Data {
        let bio = try MemoryBIO()
        try OpenSSLError.check(PEM_write_bio_PUBKEY(bio.pointer, pointer), .encodeFailed, "encode public key as PEM")
        return bio.contents()
    }

    /// The public half as DER SubjectPublicKeyInfo; throws `encodeFailed` (i2d_PUBKEY).
    package func publicKeyDER() throws -> Data {
        try Self.subjectPublicKeyInfoDER(of: pointer)
    }

    /// The supported key type this key is, or nil for any other algorithm or size (EVP_PKEY_get_base_id, EVP_PKEY_get_bits, EVP_PKEY_get_group_name).
    package var keyType: KeyType? {
        switch EVP_PKEY_get_base_id(pointer) {
        case EVP_PKEY_RSA:
            switch EVP_PKEY_get_bits(pointer) {
            case 2048: return .rsa2048
            case 4096: return .rsa4096
            default: return nil
            }
        case EVP_PKEY_EC:
            return ["prime256v1", "P-256", "secp256r1"].contains(groupName) ? .ecdsaP256 : nil
        default:
            return nil
        }
    }

    /// A short human description such as "RSA 2048" or "EC prime256v1" (EVP_PKEY_get0_type_name, EVP_PKEY_get_bits).
    package var algorithmDescription: String {
        let name = EVP_PKEY_get0_type_name(pointer).map { String(cString: $0) } ?? "unknown"
        if EVP_PKEY_get_base_id(pointer) == EVP_PKEY_EC, let groupName {
            return "\(name) \(groupName)"
        }
        return "\(name) \(EVP_PKEY_get_bits(pointer))"
    }

    private var groupName: String? {
        var buffer = [CChar](repeating: 0, count: 80)
        var length = 0
        guard EVP_PKEY_get_group_name(pointer, &buffer, buffer.count, &length) == 1 else {
            ERR_clear_error()
            return nil
        }
        return String(cString: buffer)
    }

    /// DER SubjectPublicKeyInfo of any EVP_PKEY (public or private); throws `encodeFailed` (i2d_PUBKEY).
    package static func subjectPublicKeyInfoDER(of key: OpaquePointer) throws -> Data {
        let length = i2d_PUBKEY(key, nil)
        guard length > 0 else { throw OpenSSLError.fromQueue(.encodeFailed, "encode public key as DER") }
        var data = Data(count: Int(length))
        let written = data.withUnsafeMutableBytes { raw -> Int32 in
            var out = raw.baseAddress?.assumingMemoryBound(to: UInt8.self)
            return i2d_PUBKEY(key, &out)
        }
        guard written == length else { throw OpenSSLError.fromQueue(.encodeFailed, "encode public key as DER") }
        return data
    }
}
