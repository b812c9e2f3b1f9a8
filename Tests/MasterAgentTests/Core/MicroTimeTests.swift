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

    func testImpossibleDatesAndTimesAreRejected() {
        for text in [
            "2026-02-31T00:00:00.000000Z", // Feb 31, which day arithmetic would roll into March
            "2026-04-31T00:00:00.000000Z",
            "2025-02-29T00:00:00.000000Z", // Feb 29 outside a leap year
            "1900-02-29T00:00:00.000000Z", // divisible by 100, not by 400
            "2026-11-24T24:00:00.000000Z",
            "2026-12-31T23:59:60.000000Z", // a leap second: Go's time.Parse, which the API server uses, rejects it
            "2026-11-24T22:60:00.000000Z",
            "2026-13-01T00:00:00.000000Z",
            "2026-00-10T00:00:00.000000Z",
            "2026-11-00T00:00:00.000000Z",
            "2026-11-24T22:00:00.000000+24:00",
            "2026-11-24T22:00:00.000000+01:60",
            "2026-11-24T22:00:00.000000+0100",
            "２０２６-11-24T22:00:00Z",
        ] {
            XCTAssertNil(MicroTime.parse(text), text)
        }
    }

    func testLeapDaysOfLeapYearsAreAccepted() {
        XCTAssertEqual(MicroTime.parse("2024-02-29T12:00:00.000000Z")?.timeIntervalSince1970, 1_709_208_000)
        XCTAssertEqual(MicroTime.parse("2000-02-29T00:00:00Z")?.timeIntervalSince1970, 951_782_400)
        XCTAssertEqual(
            MicroTime.parse("2026-12-31T23:59:59.999999z")?.timeIntervalSince1970 ?? 0, 1_798_761_599.999999,
            accuracy: 1e-7)
    }

    func testTextRoundTripsThroughParseAndFormat() {
        for text in [
            "2024-02-29T23:59:59.999999Z", "2026-01-01T00:00:00.000000Z", "2026-11-24T22:00:00.000001Z",
            "1999-12-31T23:59:59.500000Z", "2100-03-01T00:00:00.000000Z",
        ] {
            XCTAssertEqual(MicroTime.parse(text).map(MicroTime.format), text)
        }
        // Every day of a leap year and of the years around it, at an odd microsecond.
        for day in stride(from: 1_672_531_200.0, to: 1_767_225_600, by: 86_400) {
            let text = MicroTime.format(Date(timeIntervalSince1970: day + 45_296.789012))
            XCTAssertEqual(MicroTime.parse(text).map(MicroTime.format), text)
        }
    }

    func testAFractionThatRoundsUpCarriesIntoTheSecond() {
        XCTAssertEqual(
            MicroTime.format(Date(timeIntervalSince1970: 1_795_557_599.9999996)), "2026-11-24T22:00:00.000000Z")
    }
}
