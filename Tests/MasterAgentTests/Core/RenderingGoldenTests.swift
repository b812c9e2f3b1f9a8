import Foundation
import XCTest
import Yams

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

final class RenderingGoldenTests: XCTestCase {
    private let golden = "golden/legacy-hyperkube-master01"

    /// YAML as canonical JSON: equal strings mean equal data, whatever the key order and quoting.
    static func canonical(_ yaml: String) throws -> String {
        let object = try XCTUnwrap(try Yams.load(yaml: yaml))
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
        return String(decoding: data, as: UTF8.self)
    }

    /// A unit file as data: section -> key -> values, continuation lines joined and blanks folded.
    static func unitData(_ text: String) -> [String: [String: [String]]] {
        var result: [String: [String: [String]]] = [:]
        var section = ""
        var logical: [String] = []
        var pending = ""
        for raw in text.components(separatedBy: "\n") {
            if raw.hasSuffix("\\") { pending += raw.dropLast() + " "; continue }
            logical.append(pending + raw)
            pending = ""
        }
        for line in logical.map({ $0.trimmingCharacters(in: .whitespaces) }) where !line.isEmpty && !line.hasPrefix("#")
        {
            if line.hasPrefix("[") { section = line; continue }
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            let value = parts.count > 1 ? parts[1].split(whereSeparator: { $0 == " " }).joined(separator: " ") : ""
            result[section, default: [:]][parts[0], default: []].append(value)
        }
        return result
    }

    private func renderSeed() throws -> [RenderedFile] {
        let config = try TestSupport.seedConfig()
        return try ManifestRenderer.all(config: config, node: config.master(named: "master01")!)
    }

    func testLegacyProfileReproducesTheDocumentsManifests() throws {
        let files = try renderSeed()
        for component in ["kube-apiserver", "kube-controller-manager", "kube-proxy", "kube-scheduler"] {
            let rendered = try XCTUnwrap(
                files.first { $0.path == "/etc/kubernetes/manifests/\(component).yaml" }, component)
            XCTAssertEqual(
                try Self.canonical(rendered.content),
                try Self.canonical(TestSupport.fixtureText("\(golden)/\(component).yaml")), component)
            XCTAssertEqual(rendered.mode, 0o600)
        }
        XCTAssertEqual(files.count, 5)
    }

    func testLegacyProfileReproducesTheDocumentsKubeletUnit() throws {
        let unit = try XCTUnwrap(try renderSeed().first { $0.kind == .unit })
        XCTAssertEqual(unit.path, "/etc/systemd/system/kubelet.service")
        XCTAssertEqual(
            Self.unitData(unit.content), Self.unitData(try TestSupport.fixtureText("\(golden)/kubelet.service")))
    }

    func testRenderingIsDeterministic() throws {
        let first = try renderSeed().map(\.content)
        for _ in 0..<5 { XCTAssertEqual(try renderSeed().map(\.content), first) }
    }

    func testDerivedValuesFollowTheConfig() throws {
        var config = try TestSupport.seedConfig()
        config.masters.append(
            .init(name: "master03", dnsName: "master03.example.com", address: IPv4Address("192.168.1.3")!))
        config.etcd.endpoints = ["https://10.0.0.9:2379"]
        config.apiServer.localURL = "http://127.0.0.1:8081"
        config.kubelet.unitRequires = ["network-online.target"]
        let files = try ManifestRenderer.all(config: config, node: config.masters[0])
        let apiServer = files.first { $0.path.hasSuffix("kube-apiserver.yaml") }!.content
        XCTAssertTrue(apiServer.contains("--apiserver-count=3"))
        XCTAssertTrue(apiServer.contains("--etcd-servers=https://10.0.0.9:2379\n"))
        XCTAssertTrue(apiServer.contains("--insecure-port=8081"))
        XCTAssertTrue(apiServer.contains("hostPort: 8081"))
        XCTAssertTrue(
            files.first { $0.path.hasSuffix("kube-scheduler.yaml") }!.content.contains("--master=http://127.0.0.1:8081")
        )
        let unit = Self.unitData(files[0].content)
        XCTAssertEqual(unit["[Unit]"]?["Requires"], ["network-online.target"])
        XCTAssertTrue(unit["[Service]"]!["ExecStart"]![0].contains("--api-servers=http://127.0.0.1:8081"))
    }

    func testEmptyRequiresListDropsTheLine() throws {
        var config = try TestSupport.seedConfig()
        config.kubelet.unitRequires = []
        let unit = try ManifestRenderer.kubeletUnit(config: config, node: config.masters[0])
        XCTAssertFalse(unit.content.contains("Requires="))
    }
}
