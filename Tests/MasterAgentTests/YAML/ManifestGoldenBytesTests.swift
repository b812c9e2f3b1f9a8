import Foundation
import XCTest
@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// Manifests must keep the exact bytes the Yams-based renderer wrote (Fixtures/golden-bytes), so a node
/// bootstrapped by an older release sees every manifest as unchanged after an upgrade.
final class ManifestGoldenBytesTests: XCTestCase {
    func testEveryFixtureConfigRendersTheSameBytesAsTheYamsRenderer() throws {
        let root = TestSupport.fixture("golden-bytes")
        let variants = try FileManager.default.contentsOfDirectory(atPath: root.path)
            .filter { !$0.hasSuffix(".md") }.sorted()
        XCTAssertGreaterThanOrEqual(variants.count, 3)
        var compared = 0
        for variant in variants {
            let folder = root.appendingPathComponent(variant)
            let text = try String(contentsOf: folder.appendingPathComponent("cluster.yaml"), encoding: .utf8)
            let config = try ConfigLoader.load(yaml: text, file: "\(variant)/cluster.yaml")
            let manifests = try ManifestRenderer.manifests(config: config, node: try XCTUnwrap(config.master(named: "master01")))
            let expected = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("kube-") }.sorted()
            XCTAssertEqual(expected.count, 4, variant)
            XCTAssertEqual(manifests.map { ($0.path as NSString).lastPathComponent }.sorted(), expected, variant)
            for name in expected {
                let golden = try Data(contentsOf: folder.appendingPathComponent(name))
                let rendered = try XCTUnwrap(manifests.first { $0.path.hasSuffix("/\(name)") }, "\(variant)/\(name)")
                XCTAssertEqual(Data(rendered.content.utf8), golden, "\(variant)/\(name) changed:\n\(rendered.content)")
                compared += 1
            }
        }
        XCTAssertGreaterThanOrEqual(compared, 12)
    }
}
