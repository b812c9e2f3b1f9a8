import Foundation
import XCTest
@testable import MasterAgent

/// The agent formats text without full Foundation; these compare each helper with the Foundation
/// call it replaced, which the test target still links as an oracle.
final class TextHelpersTests: XCTestCase {
    func testPathComponentsMatchNSString() {
        let paths = ["/etc/kubernetes/manifests/kube-proxy.yaml", "/etc/systemd/system/kubelet.service", "/a/b/", "/a//b",
                     "/a", "/", "a/b", "/a/b//", "./x", "/.hidden/", "/ä/ö.yaml"]
        for path in paths {
            XCTAssertEqual(path.lastPathComponent, (path as NSString).lastPathComponent, "last of '\(path)'")
            XCTAssertEqual(path.deletingLastPathComponent, (path as NSString).deletingLastPathComponent, "parent of '\(path)'")
        }
        // Where swift-corelibs-foundation has no usable answer (it traps on "a" and returns "" for "//"),
        // Apple's documented results.
        XCTAssertEqual("scratch".lastPathComponent, "scratch")
        XCTAssertEqual("scratch".deletingLastPathComponent, "")
        XCTAssertEqual("//".lastPathComponent, "/")
        XCTAssertEqual("//".deletingLastPathComponent, "/")
        XCTAssertEqual("".lastPathComponent, "")
        XCTAssertEqual("".deletingLastPathComponent, "")
    }

    func testFixedDecimalsMatchPrintf() {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [0, 0.04, 0.05, 0.06, 0.25, 0.35, 1.45, 2.5, 9.95, 16.03, 59.99, 123.456, -0.04, -1.25, 1e9 + 0.5, 3600]
        for _ in 0..<2000 { values.append(Double.random(in: -1000...1000, using: &generator).rounded(toPlaces: 3)) }
        for value in values {
            // printf rounds the exact binary value; ties that are exact in binary (x.25, x.5) round half to even
            // there and away from zero here, so compare only where the two roundings agree on the digit.
            let printf = String(format: "%.1f", value)
            let ours = NumberText.fixed(value, decimals: 1)
            if printf != ours {
                XCTAssertTrue(Self.isBinaryTie(value, decimals: 1), "\(value): printf \(printf), ours \(ours)")
            }
        }
        XCTAssertEqual(NumberText.fixed(16.03, decimals: 1), "16.0")
        XCTAssertEqual(NumberText.fixed(0.05, decimals: 1), "0.1")
        XCTAssertEqual(NumberText.fixed(-0.04, decimals: 1), "-0.0")
        XCTAssertEqual(NumberText.fixed(7, decimals: 0), "7")
    }

    func testZeroPaddingAndHexMatchPrintf() {
        for mode in [0, 0o600, 0o644, 0o755, 0o4755, 0o7777] {
            XCTAssertEqual(NumberText.zeroPadded(mode, width: 4, radix: 8), String(format: "%04o", mode))
        }
        for value in [0, 7, 42, 2026, 123_456, 999_999] {
            XCTAssertEqual(NumberText.zeroPadded(value, width: 6), String(format: "%06d", value))
            XCTAssertEqual(NumberText.zeroPadded(value, width: 2), String(format: "%02d", value))
        }
        for byte in UInt8.min...UInt8.max {
            XCTAssertEqual(NumberText.hexByte(byte), String(format: "%02X", byte))
        }
    }

    func testTrimmingMatchesCharacterSets() {
        let samples = ["  yes \n", "\t a b \t", "\n\nx\n", "", "   ", "no-trim", " \u{00A0}x\u{2003} ", "\r\nvalue\r\n", "a\n"]
        for sample in samples {
            XCTAssertEqual(sample.trimmingWhitespace, sample.trimmingCharacters(in: .whitespacesAndNewlines), "'\(sample)'")
            XCTAssertEqual(sample.trimmingBlanks, sample.trimmingCharacters(in: .whitespaces), "'\(sample)'")
        }
    }

    func testPaddingMatchesNSString() {
        for (text, width) in [("abc", 6), ("abcdef", 3), ("", 2), ("wait-api", 8), ("ü", 3)] {
            XCTAssertEqual(text.padded(to: width), text.padding(toLength: width, withPad: " ", startingAt: 0))
        }
    }

    func testLockAndBackgroundThreadRunAndJoin() {
        let lock = Lock()
        var counter = 0
        let threads = (0..<4).map { _ in BackgroundThread { for _ in 0..<10_000 { lock.withLock { counter += 1 } } } }
        XCTAssertTrue(threads.allSatisfy(\.started))
        threads.forEach { $0.join() }
        XCTAssertEqual(lock.withLock { counter }, 40_000)
    }

    private static func isBinaryTie(_ value: Double, decimals: Int) -> Bool {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = abs(value) * scale
        return scaled - scaled.rounded(.down) == 0.5
    }
}

private extension Double {
    func rounded(toPlaces places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (self * scale).rounded() / scale
    }
}
