import Foundation

/// The DER inside PEM text, for fingerprints computed the way `openssl x509 -fingerprint -sha256` does.
package enum PEMDocument {
    /// The bytes of the first `-----BEGIN <label>-----` block, or nil when there is none or it is not base64.
    package static func firstBlockDER(_ pem: Data, label: String) -> Data? {
        let text = String(decoding: pem, as: UTF8.self)
        guard let begin = text.range(of: "-----BEGIN \(label)-----"),
            let end = text.range(of: "-----END \(label)-----", range: begin.upperBound..<text.endIndex)
        else { return nil }
        let body = text[begin.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        return Data(base64Encoded: String(body))
    }

    /// `AB:CD:...`, upper-case hex pairs joined by colons, as OpenSSL prints fingerprints.
    package static func colonHex(_ bytes: Data) -> String {
        bytes.map { byte in
            let digits = Array("0123456789ABCDEF")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
        }.joined(separator: ":")
    }

    /// Lower-case hex digits without separators, as `sha256sum` prints a digest.
    package static func lowerHex(_ bytes: Data) -> String {
        colonHex(bytes).replacingOccurrences(of: ":", with: "").lowercased()
    }
}
