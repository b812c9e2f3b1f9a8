import AgentCore
import AgentRuntime
import COpenSSL
import FoundationEssentials

/// The secrets record's primitives on OpenSSL 3: HKDF through EVP_KDF ("HKDF", digest SHA256), AES-256-GCM
/// through EVP_CIPHER_CTX, SHA-256 through EVP_Digest, randomness through RAND_bytes.
package struct OpenSSLSecretsCipher: SecretsCipher {
    package init() {}

    package func randomBytes(_ count: Int) throws -> Data { try SecureRandom.bytes(count) }

    /// EVP_KDF_fetch("HKDF"), EVP_KDF_derive with OSSL_KDF_PARAM_DIGEST/KEY/SALT/INFO.
    package func hkdfSHA256(secret: Data, salt: Data, info: Data, length: Int) throws -> Data {
        let action = "derive a \(length)-byte key with HKDF-SHA256"
        ERR_clear_error()
        let kdf = try OpenSSLError.check(EVP_KDF_fetch(nil, "HKDF", nil), .buildFailed, action)
        defer { EVP_KDF_free(kdf) }
        let context = try OpenSSLError.check(EVP_KDF_CTX_new(kdf), .buildFailed, action)
        defer { EVP_KDF_CTX_free(context) }
        var output = [UInt8](repeating: 0, count: length)
        // OSSL_PARAM keeps pointers, not copies, until EVP_KDF_derive has read them: the names are static strings
        // and the buffers stay pinned for the whole call.
        let status = secret.withUnsafeBytes { secretBytes in
            salt.withUnsafeBytes { saltBytes in
                info.withUnsafeBytes { infoBytes in
                    var params = [
                        OSSL_PARAM_construct_utf8_string(Self.cString("digest"), Self.mutableCString("SHA256"), 0),
                        OSSL_PARAM_construct_octet_string(
                            Self.cString("key"), UnsafeMutableRawPointer(mutating: secretBytes.baseAddress),
                            secretBytes.count),
                        OSSL_PARAM_construct_octet_string(
                            Self.cString("salt"), UnsafeMutableRawPointer(mutating: saltBytes.baseAddress),
                            saltBytes.count),
                        OSSL_PARAM_construct_octet_string(
                            Self.cString("info"), UnsafeMutableRawPointer(mutating: infoBytes.baseAddress),
                            infoBytes.count),
                        OSSL_PARAM_construct_end(),
                    ]
                    return EVP_KDF_derive(context, &output, output.count, &params)
                }
            }
        }
        try OpenSSLError.check(status, .buildFailed, action)
        return Data(output)
    }

    /// EVP_EncryptInit_ex2(EVP_aes_256_gcm()), EVP_EncryptUpdate (AAD, then plaintext), EVP_EncryptFinal_ex,
    /// EVP_CIPHER_CTX_ctrl(EVP_CTRL_GCM_GET_TAG).
    package func sealAES256GCM(_ plaintext: Data, key: Data, nonce: Data, authenticatedData: Data) throws -> Data {
        let action = "encrypt the secrets record with AES-256-GCM"
        let context = try GCMContext(key: key, nonce: nonce, encrypt: true, action: action)
        try context.update(authenticatedData: authenticatedData, action: action)
        var output = try context.update(plaintext, action: action)
        var length: Int32 = 0
        var tail = [UInt8](repeating: 0, count: 16)
        try OpenSSLError.check(EVP_EncryptFinal_ex(context.pointer, &tail, &length), .encodeFailed, action)
        output += tail.prefix(Int(length))
        var tag = [UInt8](repeating: 0, count: SecretsRecord.tagLength)
        try OpenSSLError.check(
            EVP_CIPHER_CTX_ctrl(context.pointer, EVP_CTRL_GCM_GET_TAG, Int32(tag.count), &tag), .encodeFailed, action)
        return Data(output + tag)
    }

    /// As `sealAES256GCM` with EVP_Decrypt*; EVP_CIPHER_CTX_ctrl(EVP_CTRL_GCM_SET_TAG) before EVP_DecryptFinal_ex,
    /// whose failure is the tag not verifying (nil).
    package func openAES256GCM(_ sealed: Data, key: Data, nonce: Data, authenticatedData: Data) throws -> Data? {
        let action = "decrypt the secrets record with AES-256-GCM"
        guard sealed.count >= SecretsRecord.tagLength else { return nil }
        let context = try GCMContext(key: key, nonce: nonce, encrypt: false, action: action)
        try context.update(authenticatedData: authenticatedData, action: action)
        var output = try context.update(sealed.dropLast(SecretsRecord.tagLength), action: action)
        var tag = [UInt8](sealed.suffix(SecretsRecord.tagLength))
        try OpenSSLError.check(
            EVP_CIPHER_CTX_ctrl(context.pointer, EVP_CTRL_GCM_SET_TAG, Int32(tag.count), &tag), .buildFailed, action)
        var length: Int32 = 0
        var tail = [UInt8](repeating: 0, count: 16)
        guard EVP_DecryptFinal_ex(context.pointer, &tail, &length) == 1 else {
            // A tag mismatch leaves nothing useful in the queue; clear it so it does not leak into a later error.
            ERR_clear_error()
            return nil
        }
        output += tail.prefix(Int(length))
        return Data(output)
    }

    /// EVP_Digest with EVP_sha256().
    package func sha256(_ data: Data) throws -> Data {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let status = data.withUnsafeBytes { bytes in
            EVP_Digest(bytes.baseAddress, bytes.count, &digest, &length, EVP_sha256(), nil)
        }
        try OpenSSLError.check(status, .encodeFailed, "compute a SHA-256 digest")
        return Data(digest.prefix(Int(length)))
    }

    private static func cString(_ name: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    private static func mutableCString(_ name: StaticString) -> UnsafeMutablePointer<CChar> {
        UnsafeMutablePointer(mutating: cString(name))
    }
}

/// The one owner of an EVP_CIPHER_CTX set up for AES-256-GCM with a 96-bit nonce; freed in deinit.
private final class GCMContext {
    let pointer: OpaquePointer
    let encrypt: Bool

    init(key: Data, nonce: Data, encrypt: Bool, action: String) throws {
        guard key.count == 32, nonce.count == SecretsRecord.nonceLength else {
            throw OpenSSLError(
                code: .buildFailed, action: action,
                cause: "AES-256-GCM needs a 32-byte key and a 12-byte nonce, got \(key.count) and \(nonce.count)",
                hint: "")
        }
        ERR_clear_error()
        pointer = try OpenSSLError.check(EVP_CIPHER_CTX_new(), .buildFailed, action)
        self.encrypt = encrypt
        // 12 bytes is GCM's default IV length, so no EVP_CTRL_GCM_SET_IVLEN is needed.
        let status = key.withUnsafeBytes { keyBytes in
            nonce.withUnsafeBytes { nonceBytes in
                let keyPointer = keyBytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
                let noncePointer = nonceBytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
                return encrypt
                    ? EVP_EncryptInit_ex2(pointer, EVP_aes_256_gcm(), keyPointer, noncePointer, nil)
                    : EVP_DecryptInit_ex2(pointer, EVP_aes_256_gcm(), keyPointer, noncePointer, nil)
            }
        }
        try OpenSSLError.check(status, .buildFailed, action)
    }

    deinit { EVP_CIPHER_CTX_free(pointer) }

    /// Feeds additional authenticated data (an update with no output buffer).
    func update(authenticatedData: Data, action: String) throws {
        guard !authenticatedData.isEmpty else { return }
        var length: Int32 = 0
        let status = authenticatedData.withUnsafeBytes { bytes in
            let input = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
            return encrypt
                ? EVP_EncryptUpdate(pointer, nil, &length, input, Int32(bytes.count))
                : EVP_DecryptUpdate(pointer, nil, &length, input, Int32(bytes.count))
        }
        try OpenSSLError.check(status, .buildFailed, action)
    }

    /// Encrypts or decrypts `input`; GCM is a stream mode, so the output is as long as the input.
    func update(_ input: Data, action: String) throws -> [UInt8] {
        guard !input.isEmpty else { return [] }
        guard input.count < Int(Int32.max) - 16 else {
            throw OpenSSLError(code: .buildFailed, action: action, cause: "the input is too large", hint: "")
        }
        var output = [UInt8](repeating: 0, count: input.count + 16)
        var length: Int32 = 0
        let status = input.withUnsafeBytes { bytes in
            let pointerIn = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
            return encrypt
                ? EVP_EncryptUpdate(pointer, &output, &length, pointerIn, Int32(bytes.count))
                : EVP_DecryptUpdate(pointer, &output, &length, pointerIn, Int32(bytes.count))
        }
        try OpenSSLError.check(status, encrypt ? .encodeFailed : .decodeFailed, action)
        return Array(output.prefix(Int(length)))
    }
}
