import XCTest

@testable import AgentCore

/// The join token's text form: 256 random bits, a CRC-32 that tells a mistyped token from a wrong one.
final class JoinTokenTests: XCTestCase {
    private let secret = Data((0..<32).map { UInt8($0 * 7 & 0xFF) })

    func testCRC32IsTheIEEEChecksum() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum([UInt8]()), 0)
    }

    func testTextRoundTripsAndCarriesTheChecksum() throws {
        let token = try JoinToken(secret: secret)
        XCTAssertTrue(token.text.hasPrefix("mat1-"))
        XCTAssertEqual(token.text.count, 5 + 72)
        XCTAssertEqual(try JoinToken.parse(token.text, source: "f"), token)
        XCTAssertEqual(try JoinToken.parse("  \(token.text)\n", source: "f"), token, "a file's line break is fine")
        XCTAssertEqual(
            try JoinToken.parse(token.text.uppercased().replacingOccurrences(of: "MAT1-", with: "mat1-"), source: "f"),
            token)
        let crc = CRC32.checksum(secret)
        XCTAssertTrue(token.text.hasSuffix(String(format: "%08x", crc)), token.text)
    }

    func testEveryMistypedCharacterIsCaughtByTheChecksum() throws {
        let text = try JoinToken(secret: secret).text
        var characters = Array(text)
        for index in 5..<characters.count {
            let original = characters[index]
            characters[index] = original == "0" ? "1" : "0"
            XCTAssertThrowsError(try JoinToken.parse(String(characters), source: "/etc/master-agent/join-token")) {
                let error = $0 as! JoinTokenError
                XCTAssertEqual(error.code, .checksumMismatch, "position \(index)")
                XCTAssertTrue(error.description.contains("/etc/master-agent/join-token"), error.description)
                XCTAssertTrue(error.description.contains("mistyped"), error.description)
            }
            characters[index] = original
        }
        // Two neighbours swapped.
        characters.swapAt(10, 11)
        if characters[10] != characters[11] {
            XCTAssertThrowsError(try JoinToken.parse(String(characters), source: "f")) {
                XCTAssertEqual(($0 as! JoinTokenError).code, .checksumMismatch)
            }
        }
    }

    func testMalformedTokensHaveTheirOwnErrors() throws {
        let text = try JoinToken(secret: secret).text
        let cases: [(String, JoinTokenError.Code)] = [
            ("", .empty), ("\n", .empty),
            ("hello", .notAToken),
            ("mat2-" + text.dropFirst(5), .unsupportedVersion),
            (String(text.dropLast()), .wrongLength),
            (text + "0", .wrongLength),
            (String(text.dropLast()) + "g", .invalidCharacter),
        ]
        for (input, code) in cases {
            XCTAssertThrowsError(try JoinToken.parse(input, source: "f"), "\(input)") {
                XCTAssertEqual(($0 as! JoinTokenError).code, code, input)
            }
        }
        XCTAssertThrowsError(try JoinToken(secret: Data(count: 16)))
    }

    func testErrorsAndDescriptionsNeverShowTheToken() throws {
        let token = try JoinToken(secret: secret)
        let hex = String(token.text.dropFirst(5).prefix(64))
        XCTAssertFalse("\(token)".contains(hex))
        XCTAssertFalse(String(reflecting: token).contains(hex))
        XCTAssertFalse("\([token])".contains(hex))
        var mistyped = Array(token.text)
        mistyped[20] = mistyped[20] == "a" ? "b" : "a"
        XCTAssertThrowsError(try JoinToken.parse(String(mistyped), source: "f")) {
            XCTAssertFalse("\($0)".contains(String(hex.prefix(12))), "\($0)")
        }
    }
}
