import XCTest

@testable import AgentCore

/// The modern profile's config rules (issue 12, "Config"), and that they leave the legacy profile alone.
final class ModernConfigValidationTests: XCTestCase {
    private func modern() throws -> String { try TestSupport.fixtureText("modern-cluster.yaml") }
    private func seed() throws -> String { try TestSupport.fixtureText("seed-cluster.yaml") }

    /// `text` with each `old` replaced by its `new` (each `old` must occur exactly once).
    private func edited(_ text: String, _ edits: [(String, String)]) -> String {
        var text = text
        for (old, new) in edits {
            XCTAssertEqual(text.components(separatedBy: old).count, 2, "fixture edit \(old) is ambiguous or missing")
            text = text.replacingOccurrences(of: old, with: new)
        }
        return text
    }

    private func problems(_ yaml: String) -> [ConfigProblem] { configProblems(yaml) }

    private func assertOneProblem(
        in yaml: String, path: String, words: String, _ label: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let found = problems(yaml)
        XCTAssertEqual(found.count, 1, "\(label): \(found)", file: file, line: line)
        guard let problem = found.first else { return }
        XCTAssertEqual(problem.path, path, label, file: file, line: line)
        XCTAssertTrue(problem.message.contains(words), "\(label): \(problem.message)", file: file, line: line)
        XCTAssertNotNil(problem.line, "\(label): line missing", file: file, line: line)
    }

    func testModernExampleIsValidWithItsValues() throws {
        let config = try ConfigLoader.load(yaml: try modern(), file: "modern-cluster.yaml")
        XCTAssertEqual(config.kubernetes.profile, .modern)
        XCTAssertEqual(config.kubernetes.version, "v1.36.2")
        XCTAssertEqual(config.kubernetes.imageRepository, "registry.k8s.io")
        XCTAssertEqual(config.cluster.name, "kubernetes")
        XCTAssertEqual(config.cluster.podCIDR?.description, "10.244.0.0/16")
        XCTAssertEqual(config.loadBalancer.port, 6443)
        XCTAssertEqual(config.masters.map(\.name), ["master01", "master02", "master03"])
        XCTAssertEqual(config.apiServer.localURL, "https://127.0.0.1:6443")
        XCTAssertEqual(config.pki.caValidityDays, 3650)
        XCTAssertEqual(config.kubelet.containerRuntimeEndpoint, "unix:///run/containerd/containerd.sock")
        XCTAssertEqual(config.kubelet.unitRequires, [])
        XCTAssertEqual(config.kubelet.unitAfter, ["containerd.service"])
    }

    func testModernDefaultsDifferFromLegacyOnes() throws {
        // The example with every optional field the issue gives a modern default removed.
        let minimal = edited(
            try modern(),
            [
                ("  imageRepository: registry.k8s.io ", "  #"),
                ("  name: kubernetes\n", ""),
                ("  podCIDR: 10.244.0.0/16 ", "  #"),
                ("  port: 6443\n", ""),
                ("  securePort: 6443 ", "  #"),
                ("  dir: /etc/kubernetes/pki\n", ""),
                ("  caValidityDays: 3650\n", ""),
                ("  binary: /usr/bin/kubelet\n", ""),
                ("  containerRuntimeEndpoint: unix:///run/containerd/containerd.sock\n", ""),
                ("  unitRequires: []\n", ""),
                ("  unitAfter: [containerd.service]", ""),
            ])
        let config = try ConfigLoader.load(yaml: minimal, file: "minimal.yaml")
        XCTAssertEqual(config.kubernetes.imageRepository, "registry.k8s.io")
        XCTAssertEqual(config.cluster.name, "kubernetes")
        XCTAssertNil(config.cluster.podCIDR, "podCIDR is optional")
        XCTAssertEqual(config.loadBalancer.port, 6443)
        XCTAssertEqual(config.apiServer.securePort, 6443)
        XCTAssertEqual(config.apiServer.localURL, "https://127.0.0.1:6443")
        XCTAssertEqual(config.apiServer.admissionControl, [])
        XCTAssertEqual(config.pki.dir, "/etc/kubernetes/pki")
        XCTAssertEqual(config.pki.caValidityDays, 3650)
        XCTAssertEqual(config.kubelet.binary, "/usr/bin/kubelet")
        XCTAssertEqual(config.kubelet.containerRuntimeEndpoint, "unix:///run/containerd/containerd.sock")
        XCTAssertEqual(config.kubelet.unitRequires, [], "no networking.service")
        XCTAssertEqual(config.kubelet.unitAfter, ["containerd.service"])
    }

    func testLegacyDefaultsAreUnchanged() throws {
        let minimal = edited(
            try seed(),
            [
                ("  securePort: 443\n", ""),
                ("  localURL: http://127.0.0.1:8080 ", "  #"),
                ("  dir: /etc/kubernetes/ssl ", "  #"),
                ("  binary: /usr/local/bin/kubelet\n", ""),
            ])
        let config = try ConfigLoader.load(yaml: minimal, file: "minimal.yaml")
        XCTAssertEqual(config.kubernetes.profile, .legacyHyperkube)
        XCTAssertEqual(config.apiServer.securePort, 443)
        XCTAssertEqual(config.apiServer.localURL, "http://127.0.0.1:8080")
        XCTAssertEqual(config.pki.dir, "/etc/kubernetes/ssl")
        XCTAssertEqual(config.kubelet.binary, "/usr/local/bin/kubelet")
        XCTAssertEqual(config.kubelet.unitRequires, ["networking.service"])
        XCTAssertEqual(config.kubelet.unitAfter, ["docker.service"])
        XCTAssertNil(config.kubernetes.imageRepository)
        XCTAssertNil(config.cluster.podCIDR)
        XCTAssertNil(config.loadBalancer.port)
        XCTAssertNil(config.pki.caValidityDays)
        XCTAssertNil(config.kubelet.containerRuntimeEndpoint)
        XCTAssertEqual(config.cluster.name, "kubernetes")
    }

    func testEachModernRuleNamesTheFieldAndLine() throws {
        // (edit from, edit to, expected path, expected words in the message)
        let cases: [(String, String, String, String)] = [
            ("  version: v1.36.2 ", "  version: v1.32.9 ", "kubernetes.version", "supported: v1.33.0 to v1.36.x"),
            ("  version: v1.36.2 ", "  version: v1.37.0 ", "kubernetes.version", "supported: v1.33.0 to v1.36.x"),
            ("  version: v1.36.2 ", "  version: 1.36.2 ", "kubernetes.version", "not supported by the modern profile"),
            ("  version: v1.36.2 ", "  version: v1.36 ", "kubernetes.version", "not supported by the modern profile"),
            ("  version: v1.36.2 ", "  version: v1.2.2 ", "kubernetes.version", "v1.33.0 to v1.36.x"),
            (
                "  imageRepository: registry.k8s.io ",
                "  image: quay.io/coreos/hyperkube:v1.2.2_coreos.0\n  imageRepository: registry.k8s.io ",
                "kubernetes.image", "used only by the legacy-hyperkube profile"
            ),
            (
                "  bindAddress: 0.0.0.0", "  bindAddress: 0.0.0.0\n  admissionControl: [NamespaceLifecycle]",
                "apiServer.admissionControl",
                "used only by the legacy-hyperkube profile, not modern: --admission-control was removed"
            ),
            (
                "  # localURL:", "  localURL: http://127.0.0.1:8080 #", "apiServer.localURL",
                "only the legacy-hyperkube profile uses"
            ),
            (
                "  podCIDR: 10.244.0.0/16 ", "  podCIDR: 10.96.0.0/16 ", "cluster.podCIDR",
                "overlaps cluster.serviceCIDR (10.96.0.0/12)"
            ),
            ("  podCIDR: 10.244.0.0/16 ", "  podCIDR: 10.0.0.0/8 ", "cluster.podCIDR", "overlaps cluster.serviceCIDR"),
            ("  podCIDR: 10.244.0.0/16 ", "  podCIDR: 10.244.0.0/33 ", "cluster.podCIDR", "is not an IPv4 CIDR"),
            (
                "    - https://192.168.0.2:2379", "    - http://192.168.0.2:2379", "etcd.endpoints[1]",
                "must use https under the modern profile"
            ),
            (
                "  imageRepository: registry.k8s.io ", "  imageRepository: registry k8s.io ",
                "kubernetes.imageRepository", "must not contain spaces"
            ),
            (
                "  imageRepository: registry.k8s.io ", "  imageRepository: https://registry.k8s.io ",
                "kubernetes.imageRepository",
                "must not have a scheme"
            ),
            (
                "  containerRuntimeEndpoint: unix:///run/containerd/containerd.sock",
                "  containerRuntimeEndpoint: unix://run/containerd.sock",
                "kubelet.containerRuntimeEndpoint", "absolute socket path"
            ),
            (
                "  containerRuntimeEndpoint: unix:///run/containerd/containerd.sock",
                "  containerRuntimeEndpoint: /run/containerd/containerd.sock",
                "kubelet.containerRuntimeEndpoint", "must be unix:///ABSOLUTE/PATH or tcp://HOST:PORT"
            ),
            (
                "  containerRuntimeEndpoint: unix:///run/containerd/containerd.sock",
                "  containerRuntimeEndpoint: tcp://127.0.0.1",
                "kubelet.containerRuntimeEndpoint", "must be tcp://HOST:PORT"
            ),
            (
                "  containerRuntimeEndpoint: unix:///run/containerd/containerd.sock",
                "  containerRuntimeEndpoint: \"unix:///run/containerd/contain erd.sock\"",
                "kubelet.containerRuntimeEndpoint", "must not contain spaces"
            ),
            (
                "  caValidityDays: 3650", "  caValidityDays: 100", "pki.caValidityDays",
                "must be at least pki.validityDays (365)"
            ),
            ("  caValidityDays: 3650", "  caValidityDays: 0", "pki.caValidityDays", "out of range"),
            ("  port: 6443\n", "  port: 0\n", "loadBalancer.port", "out of range"),
            ("  name: kubernetes\n", "  name: Kube_rnetes\n", "cluster.name", "not a valid cluster name"),
        ]
        for (old, new, path, words) in cases {
            assertOneProblem(in: edited(try modern(), [(old, new)]), path: path, words: words, new)
        }
    }

    func testModernOnlyFieldsAreRejectedUnderLegacy() throws {
        let cases: [(String, String, String, String)] = [
            (
                "  image: quay.io/coreos/hyperkube:v1.2.2_coreos.0",
                "  image: quay.io/coreos/hyperkube:v1.2.2_coreos.0\n  imageRepository: registry.k8s.io",
                "kubernetes.imageRepository", "used only by the modern profile, not legacy-hyperkube"
            ),
            (
                "  domain: cluster.local", "  domain: cluster.local\n  podCIDR: 10.244.0.0/16", "cluster.podCIDR",
                "used only by the modern profile"
            ),
            (
                "  domain: cluster.local", "  domain: cluster.local\n  name: kubernetes", "cluster.name",
                "used only by the modern profile"
            ),
            (
                "  address: 192.168.3.1 ", "  port: 6443\n  address: 192.168.3.1 ", "loadBalancer.port",
                "used only by the modern profile"
            ),
            (
                "  validityDays: 365", "  validityDays: 365\n  caValidityDays: 3650", "pki.caValidityDays",
                "used only by the modern profile"
            ),
            (
                "  housekeepingInterval: 60s",
                "  housekeepingInterval: 60s\n  containerRuntimeEndpoint: unix:///run/containerd/containerd.sock",
                "kubelet.containerRuntimeEndpoint", "used only by the modern profile"
            ),
        ]
        for (old, new, path, words) in cases {
            assertOneProblem(in: edited(try seed(), [(old, new)]), path: path, words: words, new)
        }
    }

    func testLegacyKeepsItsOwnRules() throws {
        // An https localURL stays allowed under legacy (apiServer.caFile/certFile/keyFile exist for it),
        // so do http etcd endpoints and any version: none of this changed.
        let https = edited(try seed(), [("  localURL: http://127.0.0.1:8080 ", "  localURL: https://127.0.0.1:443 ")])
        XCTAssertEqual(problems(https), [])
        let httpEtcd = edited(try seed(), [("    - https://192.168.0.2:2379", "    - http://192.168.0.2:2379")])
        XCTAssertEqual(problems(httpEtcd), [])
    }

    func testEveryLegacyOnlyFieldUnderModernIsReportedAtOnce() throws {
        let yaml = edited(
            try modern(),
            [
                ("  version: v1.36.2 ", "  version: v1.2.2 "),
                (
                    "  imageRepository: registry.k8s.io ",
                    "  image: quay.io/coreos/hyperkube:v1.2.2_coreos.0\n  imageRepository: registry.k8s.io "
                ),
                ("  bindAddress: 0.0.0.0", "  bindAddress: 0.0.0.0\n  admissionControl: [NamespaceLifecycle]"),
                ("  # localURL:", "  localURL: http://127.0.0.1:8080 #"),
                ("  podCIDR: 10.244.0.0/16 ", "  podCIDR: 10.96.0.0/16 "),
                ("    - https://192.168.0.2:2379", "    - http://192.168.0.2:2379"),
            ])
        XCTAssertEqual(
            Set(problems(yaml).map(\.path)),
            [
                "kubernetes.version", "kubernetes.image", "apiServer.admissionControl", "apiServer.localURL",
                "cluster.podCIDR",
                "etcd.endpoints[1]",
            ])
    }

    func testModernVersionRange() {
        for version in ["v1.33.0", "v1.34.7", "v1.35.1", "v1.36.2", "v1.36.10"] {
            XCTAssertTrue(ConfigLoader.isModernVersion(version), version)
        }
        for version in ["v1.32.9", "v1.37.0", "v1.36", "1.36.2", "v1.036.2", "v1.36.2-rc.0", "v2.33.0", "v1.36.", ""] {
            XCTAssertFalse(ConfigLoader.isModernVersion(version), version)
        }
    }

    func testNewTextFieldsAreCheckedForControlCharacters() throws {
        var config = try ConfigLoader.load(yaml: try modern(), file: "modern-cluster.yaml")
        config.kubernetes.imageRepository = "registry.k8s.io\nx"
        config.kubelet.containerRuntimeEndpoint = "unix:///run/c.sock\u{1B}"
        config.cluster.name = "kube\trnetes"
        let paths = RenderedValueCheck.problems(in: config).map(\.path)
        XCTAssertEqual(
            Set(paths), ["kubernetes.imageRepository", "kubelet.containerRuntimeEndpoint", "cluster.name"])
    }

    func testEveryTextFieldOfAModernConfigIsChecked() throws {
        let config = withEveryTextFieldSet(try ConfigLoader.load(yaml: try modern(), file: "modern-cluster.yaml"))
        let fields = RenderedValueCheck.textFields(of: config)
        XCTAssertEqual(fields.count, configTextLeaves(config))
        XCTAssertEqual(Set(fields.map(\.path)).count, fields.count, "paths are unique")
    }
}
