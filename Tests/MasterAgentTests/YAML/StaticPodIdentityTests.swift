import Foundation
import XCTest
import Yams

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// Which pod a file in the manifest directory defines: values read as `Yams.load` reads them.
final class StaticPodIdentityTests: XCTestCase {
    func testIdentityReadsStringsAsYamsLoadDoes() {
        // `Yams.load` itself, as the oracle (safe here: no list is used as a key).
        func loadedIdentity(_ text: String) -> String? {
            guard let object = (try? Yams.load(yaml: text)) as? [String: Any], object["kind"] as? String == "Pod",
                let metadata = object["metadata"] as? [String: Any], let name = metadata["name"] as? String
            else { return nil }
            return "\(metadata["namespace"] as? String ?? "default")/\(name)"
        }
        let cases = [
            "kind: Pod\nmetadata:\n  name: api\n  namespace: kube-system\n", "kind: Pod\nmetadata:\n  name: api\n",
            "kind: 'Pod'\nmetadata: {name: \"api\", namespace: 7}\n", "kind: Pod\nmetadata:\n  name: 123\n",
            "kind: Deployment\nmetadata:\n  name: api\n", "kind: Pod\nmetadata:\n  name: a\n---\nkind: Pod\n",
            "kind: Pod\n1: x\nmetadata:\n  name: a\n", "kind: Pod\non: x\nnull: y\nmetadata:\n  name: a\n",
            "not: [valid", "{\"kind\": \"Pod\", \"metadata\": {\"name\": \"json\", \"namespace\": \"ns\"}}",
            "kind: Pod\nmetadata:\n  name: a\n  name: b\n", "- kind: Pod\n", "",
            "kind: Pod\nmetadata:\n  name: !custom tagged\n  namespace: ~\n",
            "kind: Pod\nmetadata:\n  name: 2001-12-14\n",
            "base: &m {name: shared}\nkind: Pod\nmetadata: *m\n",
        ]
        for text in cases {
            XCTAssertEqual(StaticPodIdentity.of(text), loadedIdentity(text), text)
        }
        XCTAssertEqual(StaticPodIdentity.of("kind: Pod\nmetadata:\n  name: 123\n"), nil, "a number is not a name")
        XCTAssertEqual(StaticPodIdentity.of("kind: Pod\n1: x\nmetadata:\n  name: a\n"), "default/a")
        XCTAssertEqual(
            StaticPodIdentity.of("kind: Pod\nmetadata:\n  name: a\n  name: b\n"), "default/b", "the last duplicate wins"
        )
    }

    func testAListAsAKeyIsNoPodRatherThanATrap() {
        // `Yams.load` force-unwraps every key as a string and traps here; composing does not.
        XCTAssertNil(StaticPodIdentity.of("kind: Pod\n[a, b]: c\nmetadata:\n  name: a\n"))
    }

    func testLargeJSONManifestsAreReadButAbsurdNestingIsNot() {
        // Hundreds of flow collections and `": "` markers, as a JSON manifest with many volumes has: still a pod.
        let volumes = (0..<250).map { "{\"name\": \"v\($0)\", \"emptyDir\": {}}" }
        let oneLine =
            "{\"kind\": \"Pod\", \"metadata\": {\"name\": \"big\"}, \"spec\": {\"volumes\": [\(volumes.joined(separator: ", "))]}}"
        XCTAssertEqual(StaticPodIdentity.of(oneLine), "default/big")
        let pretty = (0..<450).map { "      {\n        \"name\": \"v\($0)\",\n        \"emptyDir\": {}\n      }" }
        let indented =
            "{\n  \"kind\": \"Pod\",\n  \"metadata\": {\"name\": \"pretty\"},\n  \"spec\": {\n    \"volumes\": [\n"
            + pretty.joined(separator: ",\n") + "\n    ]\n  }\n}\n"
        XCTAssertEqual(StaticPodIdentity.of(indented), "default/pretty")
        let deep = String(repeating: "[", count: 6000) + String(repeating: "]", count: 6000)
        XCTAssertNil(StaticPodIdentity.of("kind: Pod\nmetadata: {name: deep}\nx: " + deep + "\n"))
    }

    func testTheDeepestFileWithinTheBoundsComposesWithoutExhaustingTheStack() {
        // 590 complex-key markers on one line (block mappings), then JSON-style mappings nested up to the flow
        // bound (`"a":{` has no ": " marker): about 1,580 levels, each a frame of Yams's recursive composer.
        let depth = 990
        let nested = String(repeating: "{\"a\":", count: depth) + "\"x\"" + String(repeating: "}", count: depth)
        let text = "kind: Pod\nmetadata: {name: deep}\nspec:\n  " + String(repeating: "? ", count: 590) + nested + "\n"
        XCTAssertNil(YAMLDocumentLimits.nestingProblem(in: text, maxBlockNesting: 600, maxFlowCollections: 1000))
        XCTAssertEqual(StaticPodIdentity.of(text), "default/deep")
        XCTAssertNil(
            StaticPodIdentity.of(
                text.replacingOccurrences(of: "spec:\n", with: "spec:\n  " + String(repeating: "- ", count: 20))),
            "past the block bound")
    }
}
