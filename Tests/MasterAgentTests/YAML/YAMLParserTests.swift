import Foundation
import XCTest
import Yams
@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// The libyaml composer: nodes, marks, tags, anchors and errors as Yams 5.0.1's `compose` gave them.
final class YAMLParserTests: XCTestCase {
    private func compose(_ text: String) throws -> YAMLNode {
        try XCTUnwrap(try YAMLParser.compose(text))
    }

    private func pairs(_ node: YAMLNode) -> [(String, YAMLNode)] {
        guard case .mapping(let mapping) = node else { return [] }
        return mapping.pairs.map { ($0.key.scalar?.string ?? "?", $0.value) }
    }

    func testMarksAreOneBasedLineAndColumnLikeYams() throws {
        let text = "a: 1\nlist:\n  - x\n  - {k: v}\n\"q\": 'é'\n"
        let root = try compose(text)
        XCTAssertEqual(root.mark, .init(line: 1, column: 1))
        let fields = pairs(root)
        XCTAssertEqual(fields.map(\.0), ["a", "list", "q"])
        XCTAssertEqual(fields[0].1.mark, .init(line: 1, column: 4))
        XCTAssertEqual(fields[1].1.mark, .init(line: 3, column: 3))
        guard case .sequence(let list) = fields[1].1 else { return XCTFail("not a list") }
        XCTAssertEqual(list.items[0].mark, .init(line: 3, column: 5))
        XCTAssertEqual(list.items[1].mark, .init(line: 4, column: 5))
        XCTAssertEqual(fields[2].1.mark, .init(line: 5, column: 6))
        // Cross-check every mark against Yams on the same text.
        guard case .mapping(let yams)? = try Yams.compose(yaml: text, Resolver.basic) else { return XCTFail("Yams") }
        for (ours, theirs) in zip(fields, yams) {
            XCTAssertEqual(ours.1.mark?.line, theirs.value.mark?.line)
            XCTAssertEqual(ours.1.mark?.column, theirs.value.mark?.column)
        }
    }

    func testScalarsKeepTextStyleAndTags() throws {
        let fields = pairs(try compose("p: plain\ns: 'single'\nd: \"dou\\tble\"\nl: |\n  lit\nf: >\n  fol\n  ded\nn: !!null\nt: !!str 12\nz: \"a\\0b\"\n"))
        let scalars = fields.map { $0.1.scalar! }
        XCTAssertEqual(scalars.map(\.string), ["plain", "single", "dou\tble", "lit\n", "fol ded\n", "", "12", "a\u{0}b"])
        XCTAssertEqual(scalars.map(\.style), [.plain, .singleQuoted, .doubleQuoted, .literal, .folded, .plain, .plain, .doubleQuoted])
        let str = "tag:yaml.org,2002:str"
        XCTAssertEqual(scalars.map(\.tag), [nil, str, str, str, str, "tag:yaml.org,2002:null", str, str])
    }

    func testAliasesResolveToTheAnchoredNodeAndDuplicatesAreKept() throws {
        let fields = pairs(try compose("base: &b {x: 1, y: [a, b]}\ncopy: *b\nname: &n hello\nagain: *n\nname: twice\n"))
        XCTAssertEqual(fields.map(\.0), ["base", "copy", "name", "again", "name"])
        guard case .mapping(let base) = fields[0].1, case .mapping(let copy) = fields[1].1 else { return XCTFail("not mappings") }
        XCTAssertEqual(base.pairs, copy.pairs)
        XCTAssertEqual(fields[1].1.mark, fields[0].1.mark, "an alias is the anchored node itself")
        XCTAssertEqual(fields[3].1.scalar?.string, "hello")
    }

    func testUndefinedAliasIsAComposerErrorWithItsPosition() throws {
        XCTAssertThrowsError(try YAMLParser.compose("a: 1\nb: *missing\n")) { error in
            let error = error as! YAMLError
            XCTAssertEqual(error.code, .composer)
            XCTAssertEqual(error.located, "found undefined alias (line 2, column 4)")
        }
        // An anchor is defined only once its collection is complete, so a collection cannot contain itself.
        XCTAssertThrowsError(try YAMLParser.compose("a: &x [1, *x]\n")) { error in
            XCTAssertEqual((error as! YAMLError).located, "found undefined alias (line 1, column 11)")
        }
    }

    func testASecondDocumentIsRejectedAndAnEmptyStreamIsNil() throws {
        XCTAssertThrowsError(try YAMLParser.compose("a: 1\n---\nb: 2\n")) { error in
            let error = error as! YAMLError
            XCTAssertEqual(error.code, .composer)
            XCTAssertEqual(error.located, "but found another document (line 2, column 1)")
        }
        XCTAssertNil(try YAMLParser.compose(""))
        XCTAssertNil(try YAMLParser.compose("# only a comment\n"))
        XCTAssertEqual(try YAMLParser.compose("---\n")?.scalar?.string, "")
    }

    func testAByteOrderMarkIsDroppedByTheLoader() throws {
        let seed = try TestSupport.fixtureText("seed-cluster.yaml")
        XCTAssertEqual(try ConfigLoader.load(yaml: "\u{FEFF}" + seed, file: "bom.yaml").masters.count, 2)
    }

    func testDeepNestingComposesWithoutRecursion() throws {
        let depth = 5_000
        for text in [String(repeating: "[", count: depth) + String(repeating: "]", count: depth),
                     String(repeating: "- ", count: depth) + "x\n"] {
            var node = try compose(text)
            var levels = 1
            while case .sequence(let list) = node, let first = list.items.first {
                node = first
                levels += 1
            }
            XCTAssertEqual(levels, text.hasPrefix("[") ? depth : depth + 1)
        }
    }

    /// Yams's own words for an error, as ConfigLoader used to format them.
    private func yamsLocated(_ text: String) -> String? {
        do {
            _ = try Yams.compose(yaml: text, Resolver.basic)
            return nil
        } catch let error as YamlError {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
                return "\(problem) (line \(mark.line), column \(mark.column))"
            default:
                return "\(error)"
            }
        } catch {
            return "\(error)"
        }
    }

    func testErrorsCarryLibyamlsProblemAndPositionExactlyAsYamsReportedThem() throws {
        let broken = ["key: [unclosed", "a: b: c", "a:\n\tb: 1", "- a\nb: 1", "{a: 1", "a: 'open", "a: \"\\q\"", "a: &x\n  - *y",
                      "a: 1\n---\nb: 2", "\u{1}\u{2}\u{3}garbage: [", "ok: 1\nbad: \u{7}", "? - [\n", "a: !<tag b", "%YAML 9.9\n---\na",
                      "a:\n  - b\n c: d", "key: value\n  bad indent: x", "[a, b]]"]
        for text in broken {
            let expected = try XCTUnwrap(yamsLocated(text), "Yams accepted \(text.debugDescription)")
            XCTAssertThrowsError(try YAMLParser.compose(text), text.debugDescription) { error in
                XCTAssertEqual((error as? YAMLError)?.located, expected, text.debugDescription)
            }
        }
    }

    func testAByteOrderMarkAtALineStartIsSkippedAsYamsSkippedIt() throws {
        XCTAssertEqual(pairs(try compose("\u{FEFF}a: 1\n")).map(\.0), ["a"])
        XCTAssertNotNil(try Yams.compose(yaml: "\u{FEFF}a: 1\n", Resolver.basic))
    }

    func testConfigErrorMessageForBadYAMLIsUnchanged() {
        XCTAssertThrowsError(try ConfigLoader.load(yaml: "apiVersion: v1\nmasters: [\n", file: "c.yaml")) { error in
            let problems = (error as! ConfigError).problems
            XCTAssertEqual(problems.map(\.message), ["is not valid YAML: \(yamsLocated("apiVersion: v1\nmasters: [\n")!)"])
        }
    }

    func testPodIdentityReadsStringsAsYamsLoadDid() {
        // The Yams-based podIdentity this replaced, as the oracle.
        func yamsIdentity(_ text: String) -> String? {
            guard let object = (try? Yams.load(yaml: text)) as? [String: Any], object["kind"] as? String == "Pod",
                  let metadata = object["metadata"] as? [String: Any], let name = metadata["name"] as? String else { return nil }
            return "\(metadata["namespace"] as? String ?? "default")/\(name)"
        }
        let cases = ["kind: Pod\nmetadata:\n  name: api\n  namespace: kube-system\n", "kind: Pod\nmetadata:\n  name: api\n",
                     "kind: 'Pod'\nmetadata: {name: \"api\", namespace: 7}\n", "kind: Pod\nmetadata:\n  name: 123\n",
                     "kind: Deployment\nmetadata:\n  name: api\n", "kind: Pod\nmetadata:\n  name: a\n---\nkind: Pod\n",
                     "kind: Pod\n1: x\nmetadata:\n  name: a\n", "kind: Pod\non: x\nnull: y\nmetadata:\n  name: a\n",
                     "not: [valid", "{\"kind\": \"Pod\", \"metadata\": {\"name\": \"json\", \"namespace\": \"ns\"}}",
                     "kind: Pod\nmetadata:\n  name: a\n  name: b\n", "- kind: Pod\n", ""]
        for text in cases {
            XCTAssertEqual(StaticPodIdentity.of(text), yamsIdentity(text), text)
        }
        XCTAssertEqual(StaticPodIdentity.of("kind: Pod\nmetadata:\n  name: 123\n"), nil, "a number is not a name")
        XCTAssertEqual(StaticPodIdentity.of("kind: Pod\n1: x\nmetadata:\n  name: a\n"), "default/a")
    }

    func testPodIdentityReadsLargeJSONManifestsButNotAbsurdNesting() {
        // Hundreds of flow collections, as a JSON manifest with many volumes has: still a pod.
        let volumes = (0..<800).map { "{\"name\": \"v\($0)\", \"emptyDir\": {}}" }.joined(separator: ", ")
        let json = "{\"kind\": \"Pod\", \"metadata\": {\"name\": \"big\"}, \"spec\": {\"volumes\": [\(volumes)]}}"
        XCTAssertEqual(StaticPodIdentity.of(json), "default/big")
        let deep = String(repeating: "[", count: 6000) + String(repeating: "]", count: 6000)
        XCTAssertNil(StaticPodIdentity.of("kind: Pod\nmetadata: {name: deep}\nx: " + deep + "\n"))
    }
}
