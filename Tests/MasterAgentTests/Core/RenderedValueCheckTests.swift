import XCTest

@testable import AgentCore

/// Config values that reach the kubelet unit, a component flag or a path (RenderedValueCheck, UnitName).
final class RenderedValueCheckTests: XCTestCase {
    private func seed(replacing old: String, with new: String) throws -> String {
        let text = try TestSupport.fixtureText("seed-cluster.yaml")
        XCTAssertEqual(text.components(separatedBy: old).count, 2, "fixture edit \(old) is ambiguous or missing")
        return text.replacingOccurrences(of: old, with: new)
    }

    private func problems(_ yaml: String) -> [ConfigProblem] { configProblems(yaml) }

    func testInjectedExecStartPreLineIsRejectedNamingTheField() throws {
        let yaml = try seed(
            replacing: "  binary: /usr/local/bin/kubelet",
            with: "  binary: \"/usr/local/bin/kubelet\\nExecStartPre=/bin/sh -c evil\"")
        let found = problems(yaml)
        XCTAssertEqual(found.map(\.path), ["kubelet.binary"])
        XCTAssertEqual(
            found.first?.message.hasPrefix(
                "\"/usr/local/bin/kubelet\\nExecStartPre=/bin/sh -c evil\" contains the control character U+000A (line feed)"
            ), true,
            found.first?.message ?? "")
        XCTAssertFalse(found.first?.description.contains("\n") ?? true, "a message must not print the raw line break")
    }

    func testEveryControlCharacterInEveryKindOfFieldIsRejected() throws {
        // (edit from, YAML scalar with the control character, field path)
        let fields: [(String, String, String)] = [
            ("  binary: /usr/local/bin/kubelet", "  binary: \"/usr/local/bin/kubelet%@\"", "kubelet.binary"),
            (
                "  manifestDir: /etc/kubernetes/manifests", "  manifestDir: \"/etc/kubernetes/manifests%@\"",
                "kubelet.manifestDir"
            ),
            ("  dir: /etc/kubernetes/ssl ", "  dir: \"/etc/kubernetes/ssl%@\" ", "pki.dir"),
            ("  caFile: /etc/ssl/etcd/ca.crt", "  caFile: \"/etc/ssl/etcd/ca.crt%@\"", "etcd.caFile"),
            ("    - ResourceQuota", "    - \"ResourceQuota%@\"", "apiServer.admissionControl[5]"),
            ("  version: v1.2.2", "  version: \"v1.2.2%@\"", "kubernetes.version"),
            (
                "  housekeepingInterval: 60s",
                "  housekeepingInterval: 60s\n  unitPath: \"/etc/systemd/system/kubelet.service%@\"",
                "kubelet.unitPath"
            ),
            (
                "  housekeepingInterval: 60s", "  housekeepingInterval: 60s\nelection:\n  lockName: \"lock%@\"",
                "election.lockName"
            ),
        ]
        // YAML escapes for: NUL, tab, line feed, CR, ESC, DEL, NEL (C1), another C1.
        let controls = ["\\0", "\\t", "\\n", "\\r", "\\e", "\\x7F", "\\N", "\\x9B"]
        for (old, template, path) in fields {
            for control in controls {
                let yaml = try seed(replacing: old, with: template.replacingOccurrences(of: "%@", with: control))
                let found = problems(yaml)
                XCTAssertEqual(found.map(\.path), [path], "\(path) with \(control): \(found)")
                XCTAssertEqual(found.first?.message.contains("contains the control character U+"), true, "\(found)")
            }
        }
        // ConfigLoader's own unit-name rule (with its line) rejects these before the model exists.
        for control in controls {
            let yaml = try seed(
                replacing: "  housekeepingInterval: 60s",
                with: "  housekeepingInterval: 60s\n  unitAfter: [\"docker.service\(control)\"]")
            XCTAssertEqual(problems(yaml).map(\.path), ["kubelet.unitAfter[0]"], control)
        }
    }

    func testProblemsOfSeveralFieldsAreReportedTogether() throws {
        var yaml = try seed(
            replacing: "  binary: /usr/local/bin/kubelet", with: "  binary: \"/usr/local/bin/kubelet\\r\"")
        yaml = yaml.replacingOccurrences(
            of: "  manifestDir: /etc/kubernetes/manifests", with: "  manifestDir: \"/etc/kube\\tlets\"")
        yaml += "  unitAfter: [getty@.service]\n"
        XCTAssertEqual(problems(yaml).map(\.path), ["kubelet.binary", "kubelet.manifestDir", "kubelet.unitAfter[0]"])
    }

    func testPrintableSpecialCharactersAreAcceptedForQuoting() throws {
        let yaml = try seed(
            replacing: "  manifestDir: /etc/kubernetes/manifests",
            with: "  manifestDir: \"/etc/kube manifests/%n $HOME ${X} 'q' \\\"dq\\\" back\\\\slash ünï\"")
        let config = try ConfigLoader.load(yaml: yaml, file: "test.yaml")
        XCTAssertEqual(config.kubelet.manifestDir, "/etc/kube manifests/%n $HOME ${X} 'q' \"dq\" back\\slash ünï")
    }

    func testExecutablePathsSystemdRefusesAreRejectedWithTheReason() throws {
        let cases: [(String, String)] = [
            ("/opt/kube\\\"let", "contains a quote or a backslash"),
            ("/opt/kube'let", "contains a quote or a backslash"),
            ("/opt/kube\\\\let", "contains a quote or a backslash"),
            ("/opt/kubelet/", "ends with \"/\""),
        ]
        for (binary, words) in cases {
            let found = problems(
                try seed(replacing: "  binary: /usr/local/bin/kubelet", with: "  binary: \"\(binary)\""))
            XCTAssertEqual(found.map(\.path), ["kubelet.binary"], binary)
            XCTAssertEqual(found.first?.message.contains(words), true, "\(binary): \(found)")
        }
        for binary in ["/opt/kube let/kubelet", "/opt/100%/kubelet", "/opt/$x/kubelet", "/opt/ünï/kubelet"] {
            XCTAssertEqual(
                problems(try seed(replacing: "  binary: /usr/local/bin/kubelet", with: "  binary: \"\(binary)\"")), [],
                binary)
        }
    }

    func testUnitPathMustEndInAServiceUnitName() throws {
        let cases: [(String, String)] = [
            ("/etc/systemd/system/kubelet", "no type suffix"),
            ("/etc/systemd/system/kube let.service", "contains \" \""),
            ("/etc/systemd/system/kubelet.target", "must name a .service unit"),
            ("/etc/systemd/system/kubelet@.service", "template"),
        ]
        for (path, words) in cases {
            let found = problems(
                try seed(
                    replacing: "  housekeepingInterval: 60s",
                    with: "  housekeepingInterval: 60s\n  unitPath: \"\(path)\""))
            XCTAssertEqual(found.map(\.path), ["kubelet.unitPath"], path)
            XCTAssertEqual(found.first?.message.contains(words), true, "\(path): \(found)")
        }
    }

    func testUnitNamesFollowSystemdsRules() {
        for name in [
            "docker.service", "network-online.target", "getty@tty1.service", "dev-sda1.device", "a@b@c.service",
            "system-getty.slice", "foo\\x2dbar.mount", "x:y_z.socket", String(repeating: "a", count: 247) + ".service",
        ] {
            XCTAssertNil(UnitName.problem(in: name), name)
            XCTAssertEqual(UnitName(name)?.text, name)
        }
        let invalid: [(String, String)] = [
            ("", "empty"),
            ("docker", "no type suffix"),
            (".service", "no type suffix"),
            ("docker.serv", "not a unit type"),
            ("getty@.service", "template"),
            ("@tty1.service", "starts with \"@\""),
            ("a b.service", "contains \" \""),
            ("a%n.service", "contains \"%\""),
            ("a$x.service", "contains \"$\""),
            ("a\"b.service", "contains \"\\\"\""),
            ("dökker.service", "contains \"\\u{00F6}\""),
            (String(repeating: "a", count: 248) + ".service", "longer than 255"),
        ]
        for (name, words) in invalid {
            XCTAssertNil(UnitName(name), name)
            XCTAssertEqual(
                UnitName.problem(in: name)?.contains(words), true, "\(name): \(UnitName.problem(in: name) ?? "nil")")
        }
        XCTAssertEqual(UnitName("getty@tty1.service")?.type, "service")
    }

    func testEveryTextFieldOfTheModelIsChecked() throws {
        // A field added to ClusterConfig must be added to RenderedValueCheck.textFields too: count every
        // String in a config with all optional fields set and every list non-empty.
        let config = withEveryTextFieldSet(try TestSupport.seedConfig())
        XCTAssertEqual(RenderedValueCheck.textFields(of: config).count, configTextLeaves(config))
        XCTAssertEqual(
            Set(RenderedValueCheck.textFields(of: config).map(\.path)).count, configTextLeaves(config),
            "paths are unique")
    }
}
