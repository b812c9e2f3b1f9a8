import Foundation
import XCTest
import Yams

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// The modern profile's files for the three masters of the example config (Fixtures/golden/modern-<master>, a
/// tree as `render --root` writes it), compared as data: YAML by what it reads as, the unit by its keys.
/// `MASTER_AGENT_UPDATE_GOLDEN=1 swift test --filter ModernRenderingGoldenTests` rewrites the trees from the
/// renderer; review the diff (the flag tests below check the commands against the reference independently).
final class ModernRenderingGoldenTests: XCTestCase {
    static let masters = ["master01", "master02", "master03"]

    static func modernConfig() throws -> ClusterConfig {
        try ConfigLoader.load(yaml: TestSupport.fixtureText("modern-cluster.yaml"), file: "modern-cluster.yaml")
    }

    /// Everything the manifests step and the unit step write for `node`: unit, manifests, config files.
    static func render(_ config: ClusterConfig, _ node: String) throws -> [RenderedFile] {
        let master = try XCTUnwrap(config.master(named: node), node)
        return try ManifestRenderer.all(config: config, node: master)
            + ManifestRenderer.supportingFiles(config: config, node: master)
    }

    /// The data a rendered file holds: canonical JSON for YAML, section/key/values for the unit.
    static func data(of file: RenderedFile) throws -> String {
        if file.kind == .unit {
            // Sorted at both levels: a dictionary's description follows its hash order, which differs between
            // two equal dictionaries built in different orders (and between processes).
            return RenderingGoldenTests.unitData(file.content).sorted { $0.key < $1.key }.map { section, keys in
                "\(section) " + keys.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
            }.joined(separator: "\n")
        }
        return try RenderingGoldenTests.canonical(file.content)
    }

    func testEachMasterRendersItsGoldenTree() throws {
        let config = try Self.modernConfig()
        let update = ProcessInfo.processInfo.environment["MASTER_AGENT_UPDATE_GOLDEN"] == "1"
        for node in Self.masters {
            let root = TestSupport.fixture("golden/modern-\(node)")
            let files = try Self.render(config, node)
            if update {
                for file in files {
                    let url = root.appendingPathComponent(String(file.path.dropFirst()))
                    try FileManager.default.createDirectory(
                        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try file.content.write(to: url, atomically: true, encoding: .utf8)
                }
            }
            let goldenPaths = try FileManager.default.subpathsOfDirectory(atPath: root.path).filter {
                !$0.hasSuffix(".md") && !Self.isDirectory(root.appendingPathComponent($0))
            }
            XCTAssertEqual(Set(goldenPaths.map { "/" + $0 }), Set(files.map(\.path)), node)
            for file in files {
                let golden = try String(
                    contentsOf: root.appendingPathComponent(String(file.path.dropFirst())), encoding: .utf8)
                let expected = RenderedFile(path: file.path, content: golden, mode: file.mode, kind: file.kind)
                XCTAssertEqual(try Self.data(of: file), try Self.data(of: expected), "\(node) \(file.path)")
                XCTAssertEqual(file.mode, 0o600, file.path)
            }
        }
    }

    func testTheFilesAreTheOnesIssue12Names() throws {
        let files = try Self.render(try Self.modernConfig(), "master01")
        XCTAssertEqual(
            files.map(\.path),
            [
                "/etc/systemd/system/kubelet.service",
                "/etc/kubernetes/manifests/kube-apiserver.yaml",
                "/etc/kubernetes/manifests/kube-controller-manager.yaml",
                "/etc/kubernetes/manifests/kube-proxy.yaml",
                "/etc/kubernetes/manifests/kube-scheduler.yaml",
                "/etc/kubernetes/audit-policy.yaml",
                "/etc/kubernetes/authentication-config.yaml",
                "/etc/kubernetes/admission-config.yaml",
                "/var/lib/kubelet/config.yaml",
            ])
        XCTAssertEqual(Set(files.map(\.mode)), [0o600])
        let config = try Self.modernConfig()
        XCTAssertEqual(
            ManifestRenderer.directories(config: config, node: config.masters[0]),
            [RenderedDirectory(path: "/var/log/kubernetes/audit", mode: 0o700)])
    }

    func testMastersDifferOnlyInTheirAddressAndName() throws {
        let config = try Self.modernConfig()
        let first = try Self.leaves(Self.render(config, "master01"))
        for (node, address) in [("master02", "192.168.1.2"), ("master03", "192.168.1.3")] {
            let other = try Self.leaves(Self.render(config, node))
            XCTAssertEqual(Set(first.keys), Set(other.keys), node)
            let differing = first.keys.filter { first[$0] != other[$0] }.sorted()
            XCTAssertEqual(
                differing,
                [
                    "/etc/kubernetes/manifests/kube-apiserver.yaml spec.containers[0].command[1]",
                    "/etc/kubernetes/manifests/kube-proxy.yaml spec.containers[0].command[2]",
                ], node)
            XCTAssertEqual(
                other["/etc/kubernetes/manifests/kube-apiserver.yaml spec.containers[0].command[1]"],
                "--advertise-address=\(address)")
            XCTAssertEqual(
                other["/etc/kubernetes/manifests/kube-proxy.yaml spec.containers[0].command[2]"],
                "--hostname-override=\(node)")
        }
    }

    func testEveryRenderedYAMLFileReadsTheSameInYamsAndPyYAML() throws {
        let config = try Self.modernConfig()
        let yamlFiles = try Self.masters.flatMap { try Self.render(config, $0) }.filter { $0.kind != .unit }
        XCTAssertEqual(yamlFiles.count, 24)
        let pyyaml = try PyYAMLReader.canonicalJSON(yamlFiles.map(\.content))
        for (file, python) in zip(yamlFiles, pyyaml) {
            let yams = try XCTUnwrap(try Yams.load(yaml: file.content), file.path)
            XCTAssertEqual(try PyYAMLReader.canonical(yams), python, file.path)
            XCTAssertNotNil(yams as? [String: Any], file.path)
        }
        // The manifests decode back into the model they were encoded from.
        let master = config.masters[0]
        let pods = ModernProfile().staticPods(config: config, node: master)
        for pod in pods {
            XCTAssertEqual(try YAMLDecoder().decode(StaticPod.self, from: try ManifestRenderer.yaml(pod)), pod)
        }
    }

    func testKubeletUnitPassesSystemdAnalyzeVerify() throws {
        let analyze = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        guard FileManager.default.isExecutableFile(atPath: analyze.path) else {
            throw XCTSkip("systemd-analyze is not installed (scripts/setup installs systemd)")
        }
        var config = try Self.modernConfig()
        // verify checks that ExecStart's binary exists; the rest of the unit is the rendered one.
        config.kubelet.binary = "/bin/true"
        let unit = try ManifestRenderer.kubeletUnit(config: config, node: config.masters[0])
        let directory = try TestSupport.makeTemporaryDirectory(self, name: "unit")
        let path = directory.appendingPathComponent("kubelet.service")
        try unit.content.write(to: path, atomically: true, encoding: .utf8)
        let result = try TestSupport.run(analyze, ["verify", "--man=no", path.path])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertFalse((result.stdout + result.stderr).contains("kubelet.service"), result.stdout + result.stderr)
    }

    // Every scalar of every file by "path key.path[index]", so two renders can be compared field by field.
    static func leaves(_ files: [RenderedFile]) throws -> [String: String] {
        var result: [String: String] = [:]
        func walk(_ value: Any, _ key: String, _ file: String) {
            switch value {
            case let mapping as [String: Any]:
                for (name, child) in mapping { walk(child, key.isEmpty ? name : "\(key).\(name)", file) }
            case let list as [Any]:
                for (index, child) in list.enumerated() { walk(child, "\(key)[\(index)]", file) }
            default:
                result["\(file) \(key)"] = "\(value)"
            }
        }
        for file in files {
            if file.kind == .unit {
                for (section, keys) in RenderingGoldenTests.unitData(file.content) {
                    for (name, values) in keys { result["\(file.path) \(section)\(name)"] = "\(values)" }
                }
            } else {
                walk(try XCTUnwrap(try Yams.load(yaml: file.content)), "", file.path)
            }
        }
        return result
    }

    private static func isDirectory(_ url: URL) -> Bool {
        (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true
    }
}
