import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// The backoff schedule and health verdicts as tables: pure functions, no clock.
final class BackoffScheduleTests: XCTestCase {
    func testDelaysFollowTheTable() throws {
        struct Row {
            let initial, cap: Double; let attempt: Int; let unit: Double; let retryAfter: Double?;
            let remaining, expected: Double; let line: UInt
        }
        let rows: [Row] = [
            // Exponential ceiling, jitter drawn between initial and ceiling.
            Row(
                initial: 0.1, cap: 5, attempt: 0, unit: 0.9, retryAfter: nil, remaining: 60, expected: 0.1, line: #line),
            Row(
                initial: 0.1, cap: 5, attempt: 1, unit: 0.0, retryAfter: nil, remaining: 60, expected: 0.1, line: #line),
            Row(
                initial: 0.1, cap: 5, attempt: 1, unit: 0.5, retryAfter: nil, remaining: 60, expected: 0.15, line: #line
            ),
            Row(
                initial: 0.1, cap: 5, attempt: 3, unit: 1.0, retryAfter: nil, remaining: 60, expected: 0.8, line: #line),
            Row(initial: 0.1, cap: 5, attempt: 10, unit: 1.0, retryAfter: nil, remaining: 60, expected: 5, line: #line),
            Row(
                initial: 0.1, cap: 5, attempt: 10_000, unit: 0.5, retryAfter: nil, remaining: 60, expected: 2.55,
                line: #line),
            // Retry-After wins when longer than the jittered delay, loses when shorter.
            Row(initial: 0.1, cap: 5, attempt: 0, unit: 0.5, retryAfter: 2, remaining: 60, expected: 2, line: #line),
            Row(initial: 0.1, cap: 5, attempt: 10, unit: 1.0, retryAfter: 1, remaining: 60, expected: 5, line: #line),
            // Never past the deadline, never negative.
            Row(initial: 0.1, cap: 5, attempt: 0, unit: 0.5, retryAfter: 120, remaining: 3, expected: 3, line: #line),
            Row(
                initial: 0.1, cap: 5, attempt: 10, unit: 1.0, retryAfter: nil, remaining: 0.25, expected: 0.25,
                line: #line),
            Row(initial: 0.1, cap: 5, attempt: 0, unit: 0.5, retryAfter: nil, remaining: -1, expected: 0, line: #line),
            // The wait-api defaults: 210 ms, then 210-225 ms.
            Row(
                initial: 0.21, cap: 0.225, attempt: 0, unit: 0.99, retryAfter: nil, remaining: 60, expected: 0.21,
                line: #line),
            Row(
                initial: 0.21, cap: 0.225, attempt: 1, unit: 1.0, retryAfter: nil, remaining: 60, expected: 0.225,
                line: #line),
            Row(
                initial: 0.21, cap: 0.225, attempt: 7, unit: 0.5, retryAfter: nil, remaining: 60, expected: 0.2175,
                line: #line),
        ]
        for row in rows {
            let schedule = try BackoffSchedule(initial: row.initial, cap: row.cap)
            let delay = schedule.delay(
                attempt: row.attempt, unit: row.unit, retryAfter: row.retryAfter, remaining: row.remaining)
            XCTAssertEqual(delay, row.expected, accuracy: 1e-9, line: row.line)
        }
    }

    func testWaitAPIDefaultsSleepBetween210And225ms() {
        let schedule = BackoffSchedule.apiReadiness
        for attempt in 0..<50 {
            for unit in stride(from: 0.0, through: 0.999, by: 0.111) {
                let delay = schedule.delay(attempt: attempt, unit: unit, remaining: 300)
                XCTAssertLessThanOrEqual(delay, 0.225)
                XCTAssertGreaterThanOrEqual(delay, 0.21)
            }
        }
        XCTAssertLessThanOrEqual(BackoffSchedule.tcpProbeInterval, 0.1)
    }

    func testInvalidSchedulesNameBothValues() {
        XCTAssertThrowsError(try BackoffSchedule(initial: 2, cap: 1)) { error in
            XCTAssertEqual("\(error)", "cap (1.0s) must not be shorter than the initial interval (2.0s)")
        }
        XCTAssertThrowsError(try BackoffSchedule(initial: 0, cap: 1))
        XCTAssertThrowsError(try BackoffSchedule(initial: 1, cap: 1, multiplier: 0.5))
    }

    func testRetryAfterParsesDeltaSecondsOnly() {
        let rows: [(String?, Double?)] = [
            ("3", 3), (" 10 ", 10), ("0", 0), (nil, nil), ("", nil), ("-1", nil), ("1.5", nil),
            ("Wed, 21 Oct 2015 07:28:00 GMT", nil),
        ]
        for (header, expected) in rows {
            XCTAssertEqual(BackoffSchedule.retryAfterSeconds(header), expected, "\(header ?? "nil")")
        }
    }

    func testHealthVerdicts() {
        let failing =
            "[+]ping ok\n[-]poststarthook/start-apiextensions-controllers failed: reason withheld\n[+]etcd ok\nreadyz check failed\n"
        let status503 =
            #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"the server is currently unable to handle the request","reason":"ServiceUnavailable","code":503}"#
        let rows: [(Int, String?, String, String?, HealthVerdict, UInt)] = [
            (200, "text/plain", "ok", nil, .ready, #line),
            (200, "text/plain", "ok\n", nil, .ready, #line),
            (404, "text/plain", "404 page not found\n", nil, .endpointMissing, #line),
            (
                500, "text/plain", failing, nil,
                .notReady(
                    reason: "500 [-]poststarthook/start-apiextensions-controllers failed: reason withheld",
                    retryAfter: nil), #line
            ),
            (
                503, "application/json", status503, "2",
                .notReady(
                    reason:
                        "503 ServiceUnavailable the server is currently unable to handle the request (Retry-After 2s)",
                    retryAfter: 2), #line
            ),
            (
                500, "application/json", status503, "2",
                .notReady(
                    reason: "500 ServiceUnavailable the server is currently unable to handle the request",
                    retryAfter: nil), #line
            ),
            (
                200, "text/html", "<html>login</html>", nil,
                .notReady(
                    reason: "200 but the body (text/html) is not \"ok\": \"<html>login</html>\"", retryAfter: nil),
                #line
            ),
            (
                200, "application/json", "\u{0}\u{ff}x", nil,
                .notReady(reason: "200 but the body (application/json) is not \"ok\": \"..x\"", retryAfter: nil), #line
            ),
            (502, nil, "", nil, .notReady(reason: "502 with an empty body", retryAfter: nil), #line),
        ]
        for (status, type, body, retryAfter, expected, line) in rows {
            XCTAssertEqual(
                HealthVerdict.judge(status: status, contentType: type, body: body, retryAfterHeader: retryAfter),
                expected, line: line)
        }
    }
}
