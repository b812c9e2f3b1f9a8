import Foundation
import XCTest
@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
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

    func testFixedDecimalsMatchPrintfExactly() {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [0, -0.0, 0.04, 0.05, 0.06, 0.15, 0.25, 0.35, 0.45, 0.75, 1.45, 2.5, 3.5, 9.95, 16.03, 59.99,
                                123.456, -0.04, -1.25, 1e9 + 0.5, 3600, 0.1 + 0.2, .leastNonzeroMagnitude, 2.2250738585072014e-308, 1e-30,
                                4503599627370495.5, 9007199254740994, 1e21, 123456789.987654321]
        for _ in 0..<3000 { values.append(Double.random(in: -1000...1000, using: &generator)) }
        for _ in 0..<1000 { values.append(Double(Int.random(in: -100_000...100_000, using: &generator)) / 1000) }
        for _ in 0..<500 { values.append(Double(bitPattern: UInt64.random(in: 0...0x4480_0000_0000_0000, using: &generator))) }
        for value in values {
            for decimals in [0, 1, 3, 6] {
                XCTAssertEqual(NumberText.fixed(value, decimals: decimals), String(format: "%.\(decimals)f", value),
                               "\(value) with \(decimals) decimals")
            }
        }
        XCTAssertEqual(NumberText.fixed(16.03, decimals: 1), "16.0")
        XCTAssertEqual(NumberText.fixed(0.35, decimals: 1), "0.3", "0.35 is 0.34999... in binary")
        XCTAssertEqual(NumberText.fixed(0.25, decimals: 1), "0.2", "an exact tie rounds to even")
        XCTAssertEqual(NumberText.fixed(-0.04, decimals: 1), "-0.0")
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
}
