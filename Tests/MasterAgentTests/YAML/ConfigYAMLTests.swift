import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// What the config loader keeps of its own on top of Yams: libyaml's errors with their position,
/// line numbers from the nodes' marks, duplicate keys (Yams keeps every pair but does not check them).
final class ConfigYAMLTests: XCTestCase {
    private func seed() throws -> String { try TestSupport.fixtureText("seed-cluster.yaml") }

    private func problems(_ yaml: String) -> [String] {
        do {
            _ = try ConfigLoader.load(yaml: yaml, file: "c.yaml")
            return []
        } catch {
            return (error as? ConfigError)?.problems.map(\.description) ?? ["\(error)"]
        }
    }

    private func line(of text: String, in yaml: String) -> Int {
        (yaml.components(separatedBy: "\n").firstIndex { $0.contains(text) } ?? -1) + 1
    }

    func testTextLibyamlRejectsIsReportedWithItsProblemLineAndColumn() {
        let cases: [(String, String)] = [
            ("apiVersion: v1\nmasters: [\n", "did not find expected node content (line 3, column 1)"),
            ("a:\n\tb: 1\n", "found character that cannot start any token (line 2, column 1)"),
            ("a: 1\n---\nb: 2\n", "but found another document (line 2, column 1)"),
            ("a: 1\nb: *missing\n", "found undefined alias (line 2, column 4)"),
            ("a: 'open\n", "found unexpected end of stream (line 2, column 1)"),
        ]
        for (text, problem) in cases {
            XCTAssertEqual(problems(text), ["is not valid YAML: \(problem)"], text.debugDescription)
        }
    }

    func testACharacterYAMLForbidsIsShownInItsLine() {
        XCTAssertEqual(
            problems("ok: 1\nbad: \u{7}\n"),
            ["is not valid YAML: 2:6: error: reader: control characters are not allowed:\nbad: \u{7}\n     ^"])
    }

    func testAByteOrderMarkIsDropped() throws {
        XCTAssertEqual(try ConfigLoader.load(yaml: "\u{FEFF}" + seed(), file: "bom.yaml").masters.count, 2)
    }

    func testARepeatedKeyIsRejectedAtItsSecondLine() throws {
        let top = try seed() + "kind: ClusterConfig\n"
        XCTAssertEqual(
            problems(top), ["kind: appears more than once (line \(top.components(separatedBy: "\n").count - 1))"])
        let nested = try seed().replacingOccurrences(
            of: "  domain: cluster.local\n", with: "  domain: cluster.local\n  domain: other.local\n")
        XCTAssertEqual(
            problems(nested), ["cluster.domain: appears more than once (line \(line(of: "other.local", in: nested)))"])
        let listItem = try seed().replacingOccurrences(
            of: "    address: 192.168.1.2\n", with: "    address: 192.168.1.2\n    name: again\n")
        XCTAssertEqual(
            problems(listItem),
            ["masters[1].name: appears more than once (line \(line(of: "name: again", in: listItem)))"])
    }

    func testLinesComeFromTheNodesInFlowStyleToo() throws {
        let block =
            "  - name: master01\n    dnsName: master01.example.com\n    address: 192.168.1.1\n"
            + "  - name: master02\n    dnsName: master02.example.com\n    address: 192.168.1.2\n"
        let flow = try seed().replacingOccurrences(
            of: "masters:\n" + block,
            with: """
                masters: [{name: master01, dnsName: master01.example.com, address: 192.168.1.1},
                          {name: master02, dnsName: master02.example.com, address: 192.168.1.300}]

                """)
        XCTAssertEqual(
            problems(flow),
            [
                "masters[1].address: \"192.168.1.300\" is not an IPv4 address (line \(line(of: "192.168.1.300", in: flow)))"
            ])
    }
}
