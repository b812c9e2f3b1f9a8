import Foundation
import XCTest
@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

final class MicroTimeTests: XCTestCase {
    func testFormatsWithExactlySixFractionalDigitsInUTC() {
        let table: [(Double, String)] = [
            (0, "1970-01-01T00:00:00.000000Z"),
            (1_795_557_600, "2026-11-24T22:00:00.000000Z"),
            (1_795_557_600.5, "2026-11-24T22:00:00.500000Z"),
            (1_795_557_600.000001, "2026-11-24T22:00:00.000001Z"),
            (951_782_400, "2000-02-29T00:00:00.000000Z"),
            (-1, "1969-12-31T23:59:59.000000Z"),
            (4_102_444_799.999999, "2099-12-31T23:59:59.999999Z"),
        ]
        for (seconds, text) in table {
            XCTAssertEqual(MicroTime.format(Date(timeIntervalSince1970: seconds)), text, "\(seconds)")
        }
    }

    func testParsesMicroTimeSecondsOnlyAndOffsets() {
        let table: [(String, Double?)] = [
            ("2026-11-24T22:00:00.000000Z", 1_795_557_600),
            ("2026-11-24T22:00:00Z", 1_795_557_600),
            ("2026-11-24T22:00:00.5Z", 1_795_557_600.5),
            ("2026-11-24T23:30:00.000000+01:30", 1_795_557_600),
            ("2026-11-24T20:00:00-02:00", 1_795_557_600),
            ("2000-02-29T00:00:00.000001Z", 951_782_400.000001),
            ("2026-11-24 22:00:00Z", nil),
            ("2026-11-24T22:00:00", nil),
            ("2026-13-24T22:00:00Z", nil),
            ("2026-11-24T22:00:00.Z", nil),
            ("2026-11-24T22:00:00.0000000000Z", nil),
            ("2026-11-24T22:00:00Zjunk", nil),
            ("", nil),
        ]
        for (text, seconds) in table {
            let parsed = MicroTime.parse(text)
            if let seconds {
                XCTAssertEqual(parsed?.timeIntervalSince1970 ?? .nan, seconds, accuracy: 1e-7, text)
            } else {
                XCTAssertNil(parsed, text)
            }
        }
    }

    func testFormatAndParseRoundTripAtMicrosecondPrecision() {
        for seconds in stride(from: 1_700_000_000.123456, to: 1_700_000_100, by: 7.654321) {
            let text = MicroTime.format(Date(timeIntervalSince1970: seconds))
            XCTAssertEqual(MicroTime.format(MicroTime.parse(text)!), text)
        }
    }
}
