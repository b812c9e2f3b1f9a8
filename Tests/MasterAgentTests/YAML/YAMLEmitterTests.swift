import Foundation
import XCTest
import Yams
@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// The libyaml emitter and the Encodable bridge against Yams 5.0.1 itself (test target only): same bytes
/// as `YAMLEncoder` with the manifest options, strings read back unchanged, non-strings quoted.
final class YAMLEmitterTests: XCTestCase {
    private struct Sample: Codable {
        var value: String
        var list: [String]
        var keyed: [String: String]
        var number: Int
        var flag: Bool
        var absent: String?
    }

    static let trickyStrings: [String] = [
        "", " ", "  ", "\t", "\n", "\r\n", "a\n", "true\n", "true\r\n", "null\u{2028}", "1\r", "x\u{85}",
        "true", "True", "TRUE", "tRUE", "yes", "No", "on", "OFF", "y", "n", "~", "null", "Null", "NULL", "nULL",
        "0", "00", "-0", "+1", "012", "08", "0o17", "0o", "0b101", "0b", "-0b1_0", "0x1F", "0X1F", "0x", "0x_",
        "1_000", "1__", "190:20:30", "1:60", "1:5:59", "-1:00", "0:30", "1e3", "1E+3", "1e", "1.", ".5", "._", ".e5",
        ".5e+3", ".5e3", "1.5e-3", "1_0.0_1", "190:20:30.15", "1:2.", ".inf", "-.Inf", "+.INF", ".NaN", "-.nan", "inf",
        "2001-12-14", "2001-1-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "2001-12-14 21:59:43",
        "2001-12-14\t21:59:43.1Z", "2001-12-14T21:59:43 Z", "2001-12-14T21:59:43 ", "2001-12-14T1:59:43+05:3",
        "<<", "<", "=", "==", "-", "--", "---", "...", "- x", "? x", ": x", "x: y", "x:y", "x :y", "a #b", "a#b", "#a",
        "*a", "&a", "!a", "!!str", "|", ">", "'", "\"", "%", "@", "`", "[", "]", "{", "}", ",", "a,b", "[a]", "{a: b}",
        " lead", "trail ", "tab\there", "multi\nline", "multi\nline\n", "\n\nx", "a\u{0}b", "bell\u{7}", "del\u{7F}",
        "é", "日本語", "emoji😀", "\u{A0}nbsp", "\u{FEFF}bom", "zero\u{200B}width", "combining e\u{301}",
        String(repeating: "long-argument-", count: 12), "--flag=" + String(repeating: "x", count: 200),
        "/etc/kubernetes/ssl: x #1", "quay.io/coreos/hyperkube:v1.2.2_coreos.0", "http://127.0.0.1:8080",
    ]

    private func yamsBytes<T: Encodable>(_ value: T) throws -> String {
        let encoder = YAMLEncoder()
        encoder.options.indent = 2
        encoder.options.width = -1
        encoder.options.sortKeys = false
        return try encoder.encode(value)
    }

    private func ourBytes<T: Encodable>(_ value: T) throws -> String {
        try YAMLEmitter.emit(try YAMLNodeEncoder.encode(value))
    }

    private func check(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let sample = Sample(value: text, list: [text, "plain", text], keyed: [text: text], number: -42, flag: true, absent: nil)
        let ours = try ourBytes(sample)
        XCTAssertEqual(ours, try yamsBytes(sample), "bytes differ for \(text.debugDescription)", file: file, line: line)
        let back = try XCTUnwrap(try Yams.load(yaml: ours) as? [String: Any], file: file, line: line)
        // Yams builds each scalar with Foundation's String(bytes:encoding: .utf8), which drops a leading
        // U+FEFF; the bytes above already match Yams's, so only its reading differs there.
        let text = text.unicodeScalars.first == "\u{FEFF}" ? String(text.unicodeScalars.dropFirst()) : text
        XCTAssertEqual(back["value"] as? String, text, "did not read back \(text.debugDescription)", file: file, line: line)
        XCTAssertEqual(back["list"] as? [String], [text, "plain", text], file: file, line: line)
        XCTAssertEqual(back["number"] as? Int, -42, file: file, line: line)
        XCTAssertEqual(back["flag"] as? Bool, true, file: file, line: line)
        XCTAssertNil(back["absent"], file: file, line: line)
        // Yams's representer single-quotes exactly the strings its default resolver reads as another type.
        let yamsReadsAsString = sample.value.represented().style != .singleQuoted
        XCTAssertEqual(YAMLPlainResolver.readsAsString(sample.value), yamsReadsAsString, "resolver disagrees on \(text.debugDescription)", file: file, line: line)
        if !yamsReadsAsString {
            XCTAssertFalse(ours.contains("value: \(text)\n"), "\(text.debugDescription) left plain", file: file, line: line)
        }
    }

    func testTrickyStringsMatchYamsBytesAndReadBack() throws {
        for text in Self.trickyStrings { try check(text) }
    }

    func testSeededRandomStringsMatchYamsBytesAndReadBack() throws {
        var random = SplitMix64(seed: 0x5EED_0001)
        let printable = (0x20...0x7E).map { Character(Unicode.Scalar($0)!) }
        let numeric = Array("0123456789-+._:eExXoObBTtZ \t~<=nulaifNI")
        let unicode: [Character] = ["é", "ß", "日", "😀", "\u{A0}", "\u{85}", "\u{2028}", "\u{FEFF}", "\n", "\t", "\r", "\u{1}"]
        for round in 0..<1500 {
            let pool: [Character]
            switch round % 3 {
            case 0: pool = printable
            case 1: pool = numeric
            default: pool = printable + unicode
            }
            let length = Int(random.next() % (round % 3 == 1 ? 12 : 40))
            let text = String((0..<length).map { _ in pool[Int(random.next() % UInt64(pool.count))] })
            try check(text)
        }
    }

    func testTheStaticPodModelEncodesLikeYams() throws {
        let config = try TestSupport.seedConfig()
        let node = try XCTUnwrap(config.master(named: "master01"))
        let pods = try config.kubernetes.profile.profile.staticPods(config: config, node: node)
        XCTAssertEqual(pods.count, 4)
        for pod in pods { XCTAssertEqual(try ManifestRenderer.yaml(pod), try yamsBytes(pod), pod.metadata.name) }
    }

    func testEmptyCollectionsAndNullAreWrittenAsYamsWroteThem() throws {
        struct Edge: Codable { var empty: [String]; var nested: [[String]]; var none: String? }
        let value = Edge(empty: [], nested: [[], ["a"]], none: nil)
        XCTAssertEqual(try ourBytes(value), try yamsBytes(value))
        XCTAssertEqual(try ourBytes([String?]([nil, "x"])), try yamsBytes([String?]([nil, "x"])))
    }

    func testFloatingPointIsRejectedRatherThanFormattedDifferently() {
        struct Ratio: Encodable { var value: Double }
        XCTAssertThrowsError(try YAMLNodeEncoder.encode(Ratio(value: 0.5))) { error in
            XCTAssertTrue("\(error)".contains("value"), "\(error)")
        }
    }
}

/// A small seeded generator, so a failing string can be reproduced.
private struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
