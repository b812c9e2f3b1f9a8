import Foundation
import XCTest
import Yams

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// Every string the renderer writes must read back as that same string in the kubelet, which decodes
/// manifests with go-yaml v2 (YAML 1.1 words including y/n, Go's number syntax). Each emitted manifest is
/// read back with Yams and, independently, with PyYAML (YAML 1.1); for y/n, which PyYAML reads as strings
/// either way, the quotes themselves are checked.
final class ManifestQuotingTests: XCTestCase {
    /// Strings a YAML 1.1 or 1.2 reader may take for a boolean, null, number, timestamp, merge or value key.
    static let ambiguous: [String] = [
        // Booleans in every case; y and n are YAML 1.1's (go-yaml v2 reads them, PyYAML and Yams do not).
        "y", "Y", "n", "N", "yes", "Yes", "YES", "yEs", "no", "No", "NO", "nO", "on", "On", "ON", "oN",
        "off", "Off", "OFF", "true", "True", "TRUE", "tRUE", "false", "False", "FALSE",
        // Nulls and the empty string.
        "null", "Null", "NULL", "nULL", "~", "",
        // Integers in any base, with signs and underscores (go-yaml v2 drops every underscore).
        "0", "00", "-0", "+1", "012", "08", "0o17", "0O17", "0b101", "0B101", "-0b1_0", "0x1F", "0X1F", "-0X1f",
        "+0x_1F", "0_x1F", "1_000", "1__", "+_1", "99999999999999999999",
        // Sexagesimal (YAML 1.1).
        "1:20", "190:20:30", "-1:00", "1:5:59",
        // Floats.
        "1e3", "1E+3", "1.", ".5", "-.5", "+.5", ".5e3", ".5E-3", "1.5e-3", "1_0.0_1", "190:20:30.15",
        ".inf", ".Inf", ".INF", "-.inf", "+.Inf", ".nan", ".NaN", ".NAN",
        // Timestamps (YAML 1.1; go-yaml v2 also takes one-digit fields).
        "2001-12-14", "2001-1-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5",
        "2001-12-14T21:59:43Z", "2001-12-14\t21:59:43.1Z", "2001-12-14 1:2:3",
        // The merge key and YAML 1.1's value key.
        "<<", "=",
    ]

    /// Strings no reader takes for anything else: they stay plain, so ordinary manifests keep their bytes.
    static let plain: [String] = [
        "v1", "Pod", "127.0.0.1", "1.2.3", "10.3.0.0/24", "quay.io/coreos/hyperkube:v1.2.2_coreos.0", "y1", "yess",
        "onion", "nullable", "_1", "0b", "0x", "1e", "1:60", "2001-12-14x", "--secure-port=443", "/etc/kubernetes/ssl",
        "http://127.0.0.1:8080", "8080:80", "1.0.0", ".", "..", "+", "x=y",
    ]

    /// A pod with `value` as a mapping value (image, hostPath path, mountPath) and as a list item (command).
    private func pod(_ value: String) -> StaticPod {
        var container = StaticPod.Container(name: "c", image: value, command: ["/hyperkube", value])
        container.volumeMounts = [.init(mountPath: value, name: "v", readOnly: true)]
        return StaticPod(
            metadata: .init(name: "p", namespace: "kube-system"),
            spec: .init(
                hostNetwork: true, containers: [container], volumes: [.init(hostPath: .init(path: value), name: "v")]))
    }

    /// The data a reader must see: the model as JSON.
    private func expected(_ pod: StaticPod) throws -> String {
        try PyYAMLReader.canonical(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(pod)))
    }

    private func yamsData(_ yaml: String) throws -> String {
        try PyYAMLReader.canonical(try XCTUnwrap(try Yams.load(yaml: yaml), yaml))
    }

    func testEveryAmbiguousStringIsQuotedAndEveryOtherStaysPlain() throws {
        for text in Self.ambiguous {
            XCTAssertTrue(AmbiguousPlainScalars.contains(text), text.debugDescription)
            let yaml = try ManifestRenderer.yaml(pod(text))
            XCTAssertFalse(yaml.contains("image: \(text)\n"), "\(text.debugDescription) written plain:\n\(yaml)")
            XCTAssertFalse(yaml.contains("- \(text)\n"), "\(text.debugDescription) written plain in a list:\n\(yaml)")
        }
        for text in Self.plain {
            XCTAssertFalse(AmbiguousPlainScalars.contains(text), text.debugDescription)
            XCTAssertEqual(
                try ManifestRenderer.yaml(pod(text)), try yamsEncoderText(pod(text)),
                "\(text.debugDescription) is written differently from Yams's encoder although no reader misreads it")
        }
        // The kubelet's go-yaml v2 reads these as booleans; neither Yams nor PyYAML would notice them plain.
        for text in ["y", "Y", "n", "N"] {
            XCTAssertTrue(try ManifestRenderer.yaml(pod(text)).contains("    image: '\(text)'\n"), text)
        }
    }

    // Yams's encoder with the renderer's options, which quotes only what Yams's own resolver misreads.
    private func yamsEncoderText(_ pod: StaticPod) throws -> String {
        let encoder = YAMLEncoder()
        encoder.options.indent = 2
        encoder.options.width = -1
        return try encoder.encode(pod)
    }

    func testEveryTableStringReadsBackAsItselfInYamsAndPyYAML() throws {
        let texts = Self.ambiguous + Self.plain
        let pods = texts.map(pod)
        let documents = try pods.map(ManifestRenderer.yaml)
        let pyyaml = try PyYAMLReader.canonicalJSON(documents)
        for (index, text) in texts.enumerated() {
            let expected = try expected(pods[index])
            XCTAssertEqual(
                try yamsData(documents[index]), expected,
                "Yams reads \(text.debugDescription) differently:\n\(documents[index])")
            XCTAssertEqual(
                pyyaml[index], expected, "PyYAML reads \(text.debugDescription) differently:\n\(documents[index])")
        }
    }

    func testModernPodsAndKubeletConfigurationReadBackAsTheSameData() throws {
        var config = try ConfigLoader.load(
            yaml: try TestSupport.fixtureText("modern-cluster.yaml"), file: "modern-cluster.yaml")
        var documents: [String] = [], expectations: [String] = [], labels: [String] = []
        for text in Self.ambiguous + Self.plain {
            // Values the loader would refuse still render: the quoting is the renderer's job.
            config.kubernetes.imageRepository = text
            config.kubernetes.version = text
            config.pki.dir = "/" + text
            config.etcd.caFile = "/etc/" + text + "/ca.crt"
            config.cluster.domain = text
            config.kubelet.containerRuntimeEndpoint = text
            var node = config.masters[0]
            node.name = text
            for pod in ModernProfile().staticPods(config: config, node: node) {
                documents.append(try ManifestRenderer.yaml(pod))
                expectations.append(try expected(pod))
                labels.append("\(text.debugDescription) in \(pod.metadata.name)")
            }
            let kubelet = KubeletConfiguration(config)
            documents.append(try ManifestRenderer.yaml(encoding: kubelet))
            expectations.append(
                try PyYAMLReader.canonical(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(kubelet))))
            labels.append("\(text.debugDescription) in the KubeletConfiguration")
        }
        let pyyaml = try PyYAMLReader.canonicalJSON(documents)
        for index in documents.indices {
            XCTAssertEqual(
                try yamsData(documents[index]), expectations[index], "Yams: \(labels[index])\n\(documents[index])")
            XCTAssertEqual(pyyaml[index], expectations[index], "PyYAML: \(labels[index])\n\(documents[index])")
        }
    }

    func testManifestsWithSeededRandomValuesReadBackAsTheSameData() throws {
        var random = SplitMix64(seed: 0x5EED_0002)
        let printable = (0x20...0x7E).map { Character(Unicode.Scalar($0)!) }
        let numeric = Array("0123456789-+._:eExXoObBTtZ \t~<=nulaifNIyY")
        let unicode: [Character] = [
            "é", "ß", "日", "😀", "\u{A0}", "\u{85}", "\u{2028}", "\u{FEFF}", "\n", "\t", "\r", "\u{1}", "#", ":", "'",
            "\"",
        ]
        var texts = Self.ambiguous + Self.plain
        for round in 0..<400 {
            let pool = [printable, numeric, printable + unicode][round % 3]
            var text = String((0..<Int(random.next() % 24)).map { _ in pool[Int(random.next() % UInt64(pool.count))] })
            if round % 5 == 0 { text = Self.ambiguous[Int(random.next() % UInt64(Self.ambiguous.count))] + text }
            if round % 7 == 0 { text = " " + text + " " }
            // Yams drops a leading U+FEFF from every scalar it reads (Foundation's UTF-8 decoding), a quirk of
            // the reader in this test, not of what is written: the kubelet and PyYAML keep it.
            if text.unicodeScalars.first == "\u{FEFF}" { text = "x" + text }
            texts.append(text)
        }
        var config = try TestSupport.seedConfig()
        let node = try XCTUnwrap(config.master(named: "master01"))
        var documents: [String] = [], expectations: [String] = [], labels: [String] = []
        for text in texts {
            // Values the loader would refuse (spaces in an image, relative paths) still render: the quoting
            // is the renderer's job whatever the validation lets through.
            config.kubernetes.image = text
            config.pki.dir = "/" + text
            config.etcd.caFile = "/etc/" + text + "/ca.crt"
            config.apiServer.admissionControl = [text]
            let pods = config.kubernetes.profile.profile.staticPods(config: config, node: node)
            for pod in pods {
                documents.append(try ManifestRenderer.yaml(pod))
                expectations.append(try expected(pod))
                labels.append("\(text.debugDescription) in \(pod.metadata.name)")
            }
        }
        XCTAssertGreaterThan(documents.count, 2000)
        let pyyaml = try PyYAMLReader.canonicalJSON(documents)
        for index in documents.indices {
            XCTAssertEqual(
                try yamsData(documents[index]), expectations[index], "Yams: \(labels[index])\n\(documents[index])")
            XCTAssertEqual(pyyaml[index], expectations[index], "PyYAML: \(labels[index])\n\(documents[index])")
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
