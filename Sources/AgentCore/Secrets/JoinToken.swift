import Foundation

/// The cluster join token every master holds in `secrets.tokenFile`: 32 random bytes (256 bits) and a CRC-32 of
/// them, written `mat1-` + 72 lower-case hex digits. The secrets record's key is derived from it. Its
/// descriptions never show the secret, so a token that reaches a log or an error message stays unreadable.
package struct JoinToken: Equatable, Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The format's prefix; the digit is the format version.
    package static let prefix = "mat1-"
    /// Bytes of randomness in a token.
    package static let secretByteCount = 32
    /// Characters after the prefix: the secret and the 4-byte checksum, in hex.
    package static let digitCount = (secretByteCount + 4) * 2

    /// The random bytes (the HKDF input key material).
    package let secret: Data

    /// A token for `secret`; throws `JoinTokenError` (`wrongLength`) unless it holds exactly 32 bytes.
    package init(secret: Data) throws(JoinTokenError) {
        guard secret.count == Self.secretByteCount else {
            throw JoinTokenError(
                code: .wrongLength, source: "",
                detail: "a token holds \(Self.secretByteCount) random bytes, not \(secret.count)")
        }
        self.secret = secret
    }

    /// The text to put in the token file: `mat1-<secret hex><crc32 hex>`.
    package var text: String {
        let checksum = CRC32.checksum(secret)
        let checksumBytes = (0..<4).map { UInt8(truncatingIfNeeded: checksum >> (24 - 8 * $0)) }
        return Self.prefix + (Array(secret) + checksumBytes).map { hexDigits($0) }.joined()
    }

    package var description: String { "join token (redacted)" }
    package var debugDescription: String { description }
    package var customMirror: Mirror { Mirror(self, children: []) }

    /// Reads a token as found in its file (surrounding blanks and line breaks ignored). Throws `JoinTokenError`
    /// naming `source`: `empty`, `notAToken`, `unsupportedVersion`, `wrongLength`, `invalidCharacter`, or
    /// `checksumMismatch` for a mistyped token (a wrong but well-formed token parses; the record tells it apart).
    package static func parse(_ text: String, source: String) throws(JoinTokenError) -> JoinToken {
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        func fail(_ code: JoinTokenError.Code, _ detail: String) -> JoinTokenError {
            JoinTokenError(code: code, source: source, detail: detail)
        }
        guard !token.isEmpty else { throw fail(.empty, "it is empty") }
        guard token.hasPrefix(prefix) else {
            if token.hasPrefix("mat"), token.dropFirst(3).first?.isNumber == true {
                throw fail(.unsupportedVersion, "its format \(token.prefix(4)) is newer than this master-agent reads")
            }
            throw fail(.notAToken, "it does not start with \(prefix)")
        }
        let digits = Array(token.dropFirst(prefix.count).utf8)
        guard digits.count == digitCount else {
            throw fail(.wrongLength, "it has \(digits.count) characters after \(prefix), not \(digitCount)")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else {
                let position = index + (hexValue(digits[index]) == nil ? 0 : 1) + prefix.count + 1
                throw fail(.invalidCharacter, "character \(position) is not a hex digit (0-9, a-f)")
            }
            bytes.append(high << 4 | low)
        }
        let secret = Data(bytes.prefix(secretByteCount))
        let stored = bytes.suffix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard CRC32.checksum(secret) == stored else {
            throw fail(.checksumMismatch, "its checksum does not match, so a character was changed, dropped or swapped")
        }
        return try JoinToken(secret: secret)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private func hexDigits(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}

/// A join token that cannot be read: what is wrong with it, and where it came from. Never quotes the token.
package struct JoinTokenError: Error, Equatable, CustomStringConvertible {
    package enum Code: String, Equatable, Sendable {
        case empty, notAToken, unsupportedVersion, wrongLength, invalidCharacter, checksumMismatch
    }

    package let code: Code
    /// Where the token came from (its file), for the message; "" when not known.
    package let source: String
    /// What is wrong, without the token's characters.
    package let detail: String

    package var description: String {
        let from = source.isEmpty ? "the join token" : "the join token in \(source)"
        let next: String
        switch code {
        case .checksumMismatch, .invalidCharacter, .wrongLength:
            next = "It was mistyped or cut: copy it again, whole, from the file on the first master."
        case .unsupportedVersion:
            next = "Use the master-agent version that made it, or make a new token with `master-agent token generate`."
        case .empty, .notAToken:
            next = "Write the token `master-agent token generate` printed into it (one line)."
        }
        return "could not read \(from): \(detail). \(next)"
    }
}
