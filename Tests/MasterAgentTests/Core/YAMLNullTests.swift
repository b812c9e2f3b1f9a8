import XCTest
@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// The config is composed without a resolver (libyaml events only), so nulls are recognised by
/// YAMLFieldReader itself: the YAML 1.1/1.2 plain spellings and an explicit `!!null` tag.
final class YAMLNullTests: XCTestCase {
    func testNullSpellingsAndTheExplicitTagAreNullWithoutAResolver() throws {
        let yaml = "a: !!null\nb: ~\nc: null\nd: NULL\ne:\nf: !!null x\ng: x\nh: ''\ni: 'null'\nj: \"~\"\n"
        guard case .mapping(let mapping)? = try YAMLParser.compose(yaml) else { return XCTFail("not a mapping") }
        var null: [String: Bool] = [:]
        for pair in mapping.pairs { null[pair.key.scalar!.string] = YAMLFieldReader.isNull(pair.value) }
        XCTAssertEqual(null, ["a": true, "b": true, "c": true, "d": true, "e": true, "f": true,
                              "g": false, "h": false, "i": false, "j": false])
    }

    func testAnExplicitlyNullOptionalFieldReadsAsAbsent() throws {
        var text = try TestSupport.fixtureText("seed-cluster.yaml")
        XCTAssertTrue(text.contains("\npki:\n"), "the seed has a pki section")
        text = text.replacingOccurrences(of: "\npki:\n", with: "\npki:\n  extraSANs: !!null\n")
        let config = try ConfigLoader.load(yaml: text, file: "cluster.yaml")
        XCTAssertEqual(config.pki.extraSANs, [])
    }
}
