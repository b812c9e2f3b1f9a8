import XCTest
import Yams

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// A config field is absent when it holds a null: an explicit `!!null` tag or a plain scalar Yams's
/// resolver reads as null (the YAML 1.1/1.2 spellings); a quoted `'null'` is text.
final class YAMLNullTests: XCTestCase {
    func testNullSpellingsAndTheExplicitTagAreNull() throws {
        let yaml = "a: !!null\nb: ~\nc: null\nd: NULL\ne:\nf: !!null x\ng: x\nh: ''\ni: 'null'\nj: \"~\"\n"
        guard case .mapping(let mapping)? = try Yams.compose(yaml: yaml) else { return XCTFail("not a mapping") }
        var null: [String: Bool] = [:]
        for (key, value) in mapping { null[key.scalar!.string] = YAMLFieldReader.isNull(value) }
        XCTAssertEqual(
            null,
            [
                "a": true, "b": true, "c": true, "d": true, "e": true, "f": true,
                "g": false, "h": false, "i": false, "j": false,
            ])
    }

    func testAnExplicitlyNullOptionalFieldReadsAsAbsent() throws {
        var text = try TestSupport.fixtureText("seed-cluster.yaml")
        XCTAssertTrue(text.contains("\npki:\n"), "the seed has a pki section")
        text = text.replacingOccurrences(of: "\npki:\n", with: "\npki:\n  extraSANs: !!null\n")
        let config = try ConfigLoader.load(yaml: text, file: "cluster.yaml")
        XCTAssertEqual(config.pki.extraSANs, [])
    }
}
