import Foundation
import XCTest
import Yams

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// The manifests the Yams-based renderer of an earlier release wrote (Fixtures/golden-bytes): every config
/// there must still render the same data, and the seed config the same bytes in any process, so a node
/// bootstrapped by an older release sees its manifests as unchanged after an upgrade.
final class ManifestGoldenBytesTests: XCTestCase {
    private let root = TestSupport.fixture("golden-bytes")
    private let manifests = [
        "kube-apiserver.yaml", "kube-controller-manager.yaml", "kube-proxy.yaml", "kube-scheduler.yaml",
    ]

    func testEveryFixtureConfigRendersTheGoldenManifestsAsData() throws {
        let variants = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { !$0.hasSuffix(".md") }
            .sorted()
        XCTAssertGreaterThanOrEqual(variants.count, 19)
        var labels: [String] = [], golden: [String] = [], rendered: [String] = []
        for variant in variants {
            let folder = root.appendingPathComponent(variant)
            let text = try String(contentsOf: folder.appendingPathComponent("cluster.yaml"), encoding: .utf8)
            let config = try ConfigLoader.load(yaml: text, file: "\(variant)/cluster.yaml")
            let files = try ManifestRenderer.manifests(
                config: config, node: try XCTUnwrap(config.master(named: "master01")))
            XCTAssertEqual(files.map { ($0.path as NSString).lastPathComponent }.sorted(), manifests, variant)
            for name in manifests {
                labels.append("\(variant)/\(name)")
                golden.append(try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8))
                rendered.append(
                    try XCTUnwrap(files.first { $0.path.hasSuffix("/\(name)") }, "\(variant)/\(name)").content)
            }
        }
        for index in labels.indices {
            let expected = try PyYAMLReader.canonical(try XCTUnwrap(try Yams.load(yaml: golden[index])))
            XCTAssertEqual(
                try PyYAMLReader.canonical(try XCTUnwrap(try Yams.load(yaml: rendered[index]))), expected,
                "\(labels[index]) reads differently in Yams:\n\(rendered[index])")
        }
        // The same comparison through an independent YAML 1.1 reader.
        let pyyaml = try PyYAMLReader.canonicalJSON(golden + rendered)
        for index in labels.indices {
            XCTAssertEqual(pyyaml[labels.count + index], pyyaml[index], "\(labels[index]) reads differently in PyYAML")
        }
    }

    func testTheSeedRendersTheGoldenBytesInSeparateProcesses() throws {
        let seed = root.appendingPathComponent("seed")
        var outputs: [[Data]] = []
        for run in 0..<2 {
            let directory = try TestSupport.makeTemporaryDirectory(self, name: "render\(run)")
            let result = try TestSupport.agent([
                "render", "--config", seed.appendingPathComponent("cluster.yaml").path,
                "--node", "master01", "--root", directory.path,
            ])
            XCTAssertEqual(result.status, 0, result.stderr)
            outputs.append(
                try manifests.map {
                    try Data(contentsOf: directory.appendingPathComponent("etc/kubernetes/manifests/\($0)"))
                })
        }
        XCTAssertEqual(outputs[0], outputs[1], "two processes rendered different bytes")
        for (index, name) in manifests.enumerated() {
            let golden = try Data(contentsOf: seed.appendingPathComponent(name))
            XCTAssertEqual(
                outputs[0][index], golden, "\(name) changed:\n\(String(decoding: outputs[0][index], as: UTF8.self))")
        }
    }
}
