import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

final class ConfigValidationTests: XCTestCase {
    private func seed() throws -> String { try TestSupport.fixtureText("seed-cluster.yaml") }

    /// The seed with `old` replaced by `new` (each must occur exactly once).
    private func seed(replacing old: String, with new: String) throws -> String {
        let text = try seed()
        XCTAssertEqual(text.components(separatedBy: old).count, 2, "fixture edit \(old) is ambiguous or missing")
        return text.replacingOccurrences(of: old, with: new)
    }

    private func problems(_ yaml: String) -> [ConfigProblem] { configProblems(yaml) }

    func testSeedConfigIsValidWithDerivedValues() throws {
        let config = try TestSupport.seedConfig()
        XCTAssertEqual(config.masters.map(\.name), ["master01", "master02"])
        XCTAssertEqual(config.kubernetesServiceIP.description, "10.3.0.1")
        XCTAssertEqual(config.apiServer.clientCAFile, "/etc/ssl/etcd/ca.crt")
        XCTAssertEqual(config.kubelet.unitRequires, ["networking.service"])
        XCTAssertEqual(config.election.leaseDuration.seconds, 15)
        XCTAssertEqual(config.kubelet.housekeepingInterval.text, "60s")
    }

    func testEachRuleNamesTheFieldAndLine() throws {
        // (edit from, edit to, expected path, expected words in the message)
        let cases: [(String, String, String, String)] = [
            (
                "    address: 192.168.1.2", "    address: 192.168.1.300", "masters[1].address",
                "\"192.168.1.300\" is not an IPv4 address"
            ),
            (
                "  serviceCIDR: 10.3.0.0/24 ", "  serviceCIDR: 10.3.0.0/33 ", "cluster.serviceCIDR",
                "is not an IPv4 CIDR"
            ),
            ("  serviceCIDR: 10.3.0.0/24 ", "  serviceCIDR: 10.3.0.5/24 ", "cluster.serviceCIDR", "host bits set"),
            (
                "  dnsServiceIP: 10.3.0.2", "  dnsServiceIP: 10.4.0.2", "cluster.dnsServiceIP",
                "outside cluster.serviceCIDR (10.3.0.0/24)"
            ),
            ("  dnsServiceIP: 10.3.0.2", "  dnsServiceIP: 10.3.0.0", "cluster.dnsServiceIP", "network address"),
            ("  dnsServiceIP: 10.3.0.2", "  dnsServiceIP: 10.3.0.1", "cluster.dnsServiceIP", "kubernetes.default"),
            ("  dnsServiceIP: 10.3.0.2", "  dnsServiceIP: 10.3.0.255", "cluster.dnsServiceIP", "broadcast"),
            ("  - name: master02", "  - name: master01", "masters[1].name", "duplicate master name \"master01\""),
            (
                "    dnsName: master02.example.com", "    dnsName: master01.example.com", "masters[1].dnsName",
                "duplicate DNS name"
            ),
            (
                "    address: 192.168.1.2", "    address: 192.168.1.1", "masters[1].address",
                "duplicate address 192.168.1.1"
            ),
            (
                "    - https://192.168.0.2:2379", "    - ftp://192.168.0.2:2379", "etcd.endpoints[1]",
                "must use http or https"
            ),
            ("    - https://192.168.0.2:2379", "    - https://192.168.0.2", "etcd.endpoints[1]", "has no port"),
            ("    - https://192.168.0.2:2379", "    - 192.168.0.2:2379", "etcd.endpoints[1]", "is not a URL"),
            (
                "  caFile: /etc/ssl/etcd/ca.crt", "  caFile: etc/ssl/etcd/ca.crt", "etcd.caFile",
                "must be an absolute path"
            ),
            (
                "  manifestDir: /etc/kubernetes/manifests", "  manifestDir: manifests", "kubelet.manifestDir",
                "must be an absolute path"
            ),
            (
                "  housekeepingInterval: 60s", "  housekeepingInterval: 60", "kubelet.housekeepingInterval",
                "is not a duration"
            ),
            (
                "  housekeepingInterval: 60s", "  housekeepingInterval: 5 minutes", "kubelet.housekeepingInterval",
                "is not a duration"
            ),
            (
                "  profile: legacy-hyperkube ", "  profile: moddern ", "kubernetes.profile",
                "unknown profile \"moddern\""
            ),
            (
                "  image: quay.io/coreos/hyperkube:v1.2.2_coreos.0", "  image: \"\"", "kubernetes.image",
                "must not be empty"
            ),
            (
                "  securePort: 443", "  securPort: 443", "apiServer.securPort",
                "unknown field (did you mean \"securePort\"?)"
            ),
            ("  domain: cluster.local", "  domain: Cluster_Local", "cluster.domain", "not a valid DNS domain"),
            ("  securePort: 443", "  securePort: 70000", "apiServer.securePort", "out of range"),
            ("  securePort: 443", "  securePort: https", "apiServer.securePort", "is not a whole number"),
            (
                "  localURL: http://127.0.0.1:8080 ", "  localURL: http://127.0.0.1 ", "apiServer.localURL",
                "has no port"
            ),
            ("  keyType: rsa-2048", "  keyType: dsa-1024", "pki.keyType", "unknown key type"),
            ("  validityDays: 365", "  validityDays: 0", "pki.validityDays", "out of range"),
            ("kind: ClusterConfig", "kind: Cluster", "kind", "not supported"),
            ("apiVersion: master-agent/v1alpha1", "apiVersion: v1", "apiVersion", "not supported"),
            ("  address: 192.168.3.1 ", "  address: loadbalancer ", "loadBalancer.address", "is not an IPv4 address"),
            (
                "    dnsName: master01.example.com", "    dnsName: Master01..example", "masters[0].dnsName",
                "not a valid DNS name"
            ),
        ]
        for (old, new, path, words) in cases {
            let found = problems(try seed(replacing: old, with: new))
            XCTAssertEqual(found.count, 1, "\(new): \(found)")
            guard let problem = found.first else { continue }
            XCTAssertEqual(problem.path, path, "\(new)")
            XCTAssertTrue(problem.message.contains(words), "\(new): \(problem.message)")
            XCTAssertNotNil(problem.line, "\(new): line missing")
        }
    }

    func testKeyTypeIsReadAsTheEnumFromItsYAMLSpelling() throws {
        XCTAssertEqual(try TestSupport.seedConfig().pki.keyType, .rsa2048)
        for type in KeyType.allCases {
            let yaml = try seed(replacing: "  keyType: rsa-2048", with: "  keyType: \(type.rawValue)")
            XCTAssertEqual(try ConfigLoader.load(yaml: yaml, file: "test.yaml").pki.keyType, type)
        }
        let withoutField = try seed(replacing: "  keyType: rsa-2048\n", with: "")
        XCTAssertEqual(
            try ConfigLoader.load(yaml: withoutField, file: "test.yaml").pki.keyType, .rsa2048, "the default")
    }

    func testUnknownKeyTypeListsTheAllowedValuesWithItsLine() throws {
        let found = problems(try seed(replacing: "  keyType: rsa-2048", with: "  keyType: dsa-1024"))
        let line = try seed().components(separatedBy: "\n").firstIndex { $0.contains("keyType:") }! + 1
        XCTAssertEqual(
            found.map(\.description),
            ["pki.keyType: unknown key type \"dsa-1024\" (known: rsa-2048, rsa-4096, ecdsa-p256) (line \(line))"])
    }

    func testLineNumberPointsAtTheField() throws {
        let found = problems(try seed(replacing: "    address: 192.168.1.2", with: "    address: 192.168.1.300"))
        let lineOfField = try seed().components(separatedBy: "\n").firstIndex { $0.contains("192.168.1.2") }! + 1
        XCTAssertEqual(found.first?.line, lineOfField)
        XCTAssertEqual(
            found.first?.description,
            "masters[1].address: \"192.168.1.300\" is not an IPv4 address (line \(lineOfField))")
    }

    func testManyMistakesAreAllReportedInOneRun() throws {
        var text = try seed()
        for (old, new) in [
            ("    address: 192.168.1.2", "    address: 1.2.3"),
            ("  dnsServiceIP: 10.3.0.2", "  dnsServiceIP: 10.9.9.9"),
            ("  caFile: /etc/ssl/etcd/ca.crt", "  caFile: ca.crt"),
            ("  housekeepingInterval: 60s", "  housekeepingInterval: soon"),
            ("  domain: cluster.local", "  domain: cluster.local\n  colour: blue"),
        ] {
            text = text.replacingOccurrences(of: old, with: new)
        }
        let paths = problems(text).map(\.path)
        XCTAssertEqual(
            Set(paths),
            [
                "masters[1].address", "cluster.dnsServiceIP", "etcd.caFile", "kubelet.housekeepingInterval",
                "cluster.colour",
            ])
    }

    func testRequiredFieldsAndSections() throws {
        let withoutImage = try seed(replacing: "  image: quay.io/coreos/hyperkube:v1.2.2_coreos.0\n", with: "")
        XCTAssertEqual(
            problems(withoutImage).map(\.description).first?.hasPrefix("kubernetes.image: is required"), true)
        let withoutMasters = try seed().replacingOccurrences(of: "masters:", with: "oldMasters:")
        XCTAssertTrue(problems(withoutMasters).contains { $0.path == "masters" && $0.message == "is required" })
        XCTAssertTrue(
            problems(withoutMasters).contains { $0.path == "oldMasters" && $0.message.hasPrefix("unknown field") })
        XCTAssertEqual(problems("masters: []\n").contains { $0.path == "masters" }, true)
    }

    func testWrongTypesAreReported() throws {
        let listForString = try seed(replacing: "  version: v1.2.2", with: "  version: [v1, v2]")
        XCTAssertEqual(problems(listForString).first?.path, "kubernetes.version")
        let mappingForList = try seed(replacing: "  endpoints:\n", with: "  endpoints: {a: b}\n  unused:\n")
        XCTAssertTrue(
            problems(mappingForList).contains { $0.path == "etcd.endpoints" && $0.message == "must be a list" })
    }

    func testGarbageEmptyAndNonMappingDocuments() {
        XCTAssertEqual(problems("").first?.message.contains("empty"), true)
        XCTAssertEqual(problems("key: [unclosed").first?.message.contains("is not valid YAML"), true)
        XCTAssertEqual(problems("- just\n- a list\n").first?.message, "must be a mapping of fields")
        XCTAssertEqual(problems("\u{0}\u{1}binary").isEmpty, false)
    }

    func testElectionTimingsAreCheckedTogether() throws {
        let yaml = try seed() + "election:\n  leaseDuration: 2s\n  renewInterval: 5s\n"
        XCTAssertEqual(problems(yaml).first?.path, "election.renewInterval")
        let fractional = try seed() + "election:\n  leaseDuration: 1500ms\n  renewInterval: 500ms\n"
        XCTAssertEqual(problems(fractional).map(\.path), ["election.leaseDuration"])
        XCTAssertTrue(problems(fractional).first?.message.contains("whole number of seconds") ?? false)
    }

    func testOptionalFieldsTakeDefaults() throws {
        let yaml = try seed(replacing: "  securePort: 443\n", with: "")
        let config = try ConfigLoader.load(yaml: yaml, file: "x")
        XCTAssertEqual(config.apiServer.securePort, 443)
        XCTAssertEqual(config.pki.expiryWarningDays, 30)
        XCTAssertEqual(config.kubelet.unitPath, "/etc/systemd/system/kubelet.service")
    }

    func testExampleConfigIsTheSeedAndValid() throws {
        XCTAssertEqual(
            ExampleConfig.yaml.trimmingCharacters(in: .whitespacesAndNewlines),
            try seed().trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertNoThrow(try ConfigLoader.load(yaml: ExampleConfig.yaml, file: "example"))
    }
}
