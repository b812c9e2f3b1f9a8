import AgentCore
import AgentRuntime
import COpenSSL
import FoundationEssentials

/// OpenSSL's cryptographically secure generator, for secrets that are not keys (the encryption-at-rest key).
package enum SecureRandom {
    /// `count` random bytes; throws `randomFailed` when `count` is negative or the generator is not seeded (RAND_bytes).
    package static func bytes(_ count: Int) throws -> Data {
        let action = "generate \(count) random bytes"
        guard count >= 0, count <= Int(Int32.max) else {
            throw OpenSSLError(code: .randomFailed, action: action, cause: "the count is out of range", hint: "")
        }
        ERR_clear_error()
        var bytes = [UInt8](repeating: 0, count: count)
        try OpenSSLError.check(RAND_bytes(&bytes, Int32(count)), .randomFailed, action)
        return Data(bytes)
    }
}
