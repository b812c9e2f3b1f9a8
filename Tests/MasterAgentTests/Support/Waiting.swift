import Foundation
import XCTest

/// Waits for something another thread or process does: polls `condition` every `interval` seconds until it
/// holds, for at most `timeout` seconds. At the deadline the test fails with `message` (and the timeout);
/// returns whether the condition held, so a caller can stop early.
@discardableResult
func waitUntil(
    timeout: TimeInterval, interval: TimeInterval = 0.01, _ message: @autoclosure () -> String = "condition",
    file: StaticString = #filePath, line: UInt = #line, _ condition: () throws -> Bool
) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if try condition() { return true }
        if Date() >= deadline {
            XCTFail("timed out after \(timeout) s waiting for: \(message())", file: file, line: line)
            return false
        }
        Thread.sleep(forTimeInterval: interval)
    }
}

/// Checks that `condition` keeps holding for `duration` seconds (a window in which something must not happen),
/// polling every `interval` seconds and failing with `message` the first time it does not.
@discardableResult
func assertHolds(
    for duration: TimeInterval, interval: TimeInterval = 0.01, _ message: @autoclosure () -> String = "condition",
    file: StaticString = #filePath, line: UInt = #line, _ condition: () throws -> Bool
) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(duration)
    while true {
        guard try condition() else {
            XCTFail("stopped holding within \(duration) s: \(message())", file: file, line: line)
            return false
        }
        if Date() >= deadline { return true }
        Thread.sleep(forTimeInterval: interval)
    }
}
