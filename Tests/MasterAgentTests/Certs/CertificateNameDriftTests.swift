import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime

/// A master's per-node certificates after the config's names changed (issue 15, online SAN change): the check and
/// `status` name what the config added (missingSAN, an error) and what it no longer gives (extraSAN, a warning)
/// before anything reissues them.
final class CertificateNameDriftTests: XCTestCase {
    private typealias Support = ModernCertsTestSupport
    private let apiserverCrt = "/etc/kubernetes/pki/apiserver.crt"
    private var configPath: String!

    // MARK: - SANDrift

    func testDriftListsAddedAndRemovedNamesSorted() {
        let drift = SANDrift(
            expected: [.ip("192.168.3.9"), .dns("b.example.com"), .ip("10.0.0.1"), .dns("kubernetes")],
            actual: [.dns("kubernetes"), .ip("127.0.0.1"), .dns("old.example.com"), .ip("10.0.0.1"), .dns("a.example")])
        XCTAssertEqual(drift.added, [.dns("b.example.com"), .ip("192.168.3.9")])
        XCTAssertEqual(drift.removed, [.dns("a.example"), .dns("old.example.com"), .ip("127.0.0.1")])
        XCTAssertFalse(drift.isEmpty)
        let same = SANDrift(expected: [.dns("x"), .ip("10.0.0.1")], actual: [.ip("10.0.0.1"), .dns("x")])
        XCTAssertEqual(same, SANDrift(expected: [], actual: []))
        XCTAssertTrue(same.isEmpty, "order alone is no drift")
    }

    // MARK: - The checker

    func testAnExtraSANAddedToTheConfigIsAMissingNameOfTheAPIServerCertificate() throws {
        let root = try tree()
        let report = try check(root, edit: addExtraSANs("10.9.9.9, api.example.org"))
        XCTAssertEqual(
            nameFindings(report),
            [
                Found(
                    code: .missingSAN, severity: .error, file: apiserverCrt,
                    names: "lacks subjectAltNames DNS:api.example.org, IP:10.9.9.9")
            ])
        let row = try XCTUnwrap(report.rows.first { $0.file == apiserverCrt })
        XCTAssertEqual(row.sansOK, false)
        XCTAssertEqual(row.sansMissing, ["DNS:api.example.org", "IP:10.9.9.9"])
        XCTAssertNil(row.sansExtra)
        XCTAssertEqual(drifted(report), [apiserverCrt], "only apiserver.crt carries the masters' names")
    }

    func testAMasterAndAnExtraSANRemovedAreExtraNamesAndOnlyAWarning() throws {
        let root = try tree(edit: addExtraSANs("old.example.com"))
        let report = try check(root, edit: removeMaster03)
        XCTAssertEqual(
            nameFindings(report),
            [
                Found(
                    code: .extraSAN, severity: .warning, file: apiserverCrt,
                    names:
                        "carries subjectAltNames the config no longer gives: DNS:master03.example.com, DNS:old.example.com, IP:192.168.1.3"
                )
            ])
        let message = try XCTUnwrap(report.findings.first { $0.code == .extraSAN }?.message)
        XCTAssertTrue(message.contains("run `master-agent bootstrap` or `master-agent certs renew --due`"), message)
        XCTAssertFalse(report.hasErrors, "\(report.findings)")
        let row = try XCTUnwrap(report.rows.first { $0.file == apiserverCrt })
        XCTAssertEqual(row.sansOK, false, "names removed are drift too")
        XCTAssertNil(row.sansMissing)
        XCTAssertEqual(row.sansExtra, ["DNS:master03.example.com", "DNS:old.example.com", "IP:192.168.1.3"])
        XCTAssertEqual(row.status, "warning")
        XCTAssertEqual(drifted(report), [apiserverCrt])
    }

    func testNamesAddedAndRemovedAreBothReported() throws {
        let root = try tree(edit: addExtraSANs("old.example.com"))
        let report = try check(root, edit: { self.addExtraSANs("192.168.3.9")(self.removeMaster03($0)) })
        XCTAssertEqual(
            nameFindings(report).map(\.code), [.missingSAN, .extraSAN], "\(report.findings.map(\.message))")
        let row = try XCTUnwrap(report.rows.first { $0.file == apiserverCrt })
        XCTAssertEqual(row.sansOK, false)
        XCTAssertEqual(row.sansMissing, ["IP:192.168.3.9"])
        XCTAssertEqual(row.sansExtra, ["DNS:master03.example.com", "DNS:old.example.com", "IP:192.168.1.3"])
    }

    func testAnUnchangedConfigHasNoDrift() throws {
        let root = try tree()
        try Support.assertVerifies(
            Support.host(root, apiserverCrt), ca: Support.host(root, "/etc/kubernetes/pki/ca.crt"),
            purpose: "sslserver")
        let report = try check(root, edit: { $0 })
        XCTAssertEqual(nameFindings(report), [])
        XCTAssertEqual(report.rows.first { $0.file == apiserverCrt }?.sansOK, true)
        XCTAssertEqual(drifted(report), [])
        // Client certificates have no names to compare: no SANS column.
        XCTAssertNil(report.rows.first { $0.file == "/etc/kubernetes/admin.conf" }?.sansOK)
    }

    // MARK: - As processes

    func testCertsCheckShowsTheDriftInTheTableAndTheJSON() throws {
        let root = try tree(edit: addExtraSANs("old.example.com"))
        try writeConfig(edit: removeMaster03)
        let text = try agent(["certs", "check", "--node", "master01", "--root", root.path])
        XCTAssertEqual(text.status, 0, "extra names alone are a warning: " + text.stdout + text.stderr)
        let line = try XCTUnwrap(text.stdout.components(separatedBy: "\n").first { $0.hasPrefix(apiserverCrt) })
        XCTAssertTrue(line.contains(" EXTRA  "), line)
        XCTAssertTrue(
            text.stdout.contains(
                "warning: \(apiserverCrt) carries subjectAltNames the config no longer gives: DNS:master03.example.com"),
            text.stdout)

        try writeConfig(edit: { self.addExtraSANs("192.168.3.9")(self.removeMaster03($0)) })
        let json = try agent(["certs", "check", "--node", "master01", "--root", root.path, "--output", "json"])
        XCTAssertEqual(json.status, 1, "a missing name is an error: " + json.stdout + json.stderr)
        let report = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], json.stderr)
        let rows = try XCTUnwrap(report["rows"] as? [[String: Any]])
        let row = try XCTUnwrap(rows.first { $0["file"] as? String == apiserverCrt }, "\(rows)")
        XCTAssertEqual(row["sansOK"] as? Bool, false)
        XCTAssertEqual(row["sansMissing"] as? [String], ["IP:192.168.3.9"])
        XCTAssertEqual(
            row["sansExtra"] as? [String], ["DNS:master03.example.com", "DNS:old.example.com", "IP:192.168.1.3"])
        let others = rows.filter { $0["file"] as? String != apiserverCrt }
        XCTAssertFalse(others.contains { $0["sansMissing"] != nil || $0["sansExtra"] != nil }, "\(others)")
        let codes = (report["findings"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
        XCTAssertTrue(codes.contains("missingSAN") && codes.contains("extraSAN"), "\(codes)")

        let table = try agent(["certs", "check", "--node", "master01", "--root", root.path])
        let both = try XCTUnwrap(table.stdout.components(separatedBy: "\n").first { $0.hasPrefix(apiserverCrt) })
        XCTAssertTrue(both.contains(" DIFFERS  "), both)
    }

    func testStatusShowsWhichNamesDiffer() throws {
        let root = try tree(edit: addExtraSANs("old.example.com"))
        try writeConfig(edit: { self.addExtraSANs("192.168.3.9")(self.removeMaster03($0)) })
        let json = try agent(["status", "--node", "master01", "--root", root.path, "--output", "json"])
        let status = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], json.stderr)
        let drift = try XCTUnwrap(status["certificateNameDrift"] as? [[String: Any]], json.stdout)
        XCTAssertEqual(drift.count, 1, "\(drift)")
        XCTAssertEqual(drift.first?["file"] as? String, apiserverCrt)
        XCTAssertEqual(drift.first?["added"] as? [String], ["IP:192.168.3.9"])
        XCTAssertEqual(
            drift.first?["removed"] as? [String], ["DNS:master03.example.com", "DNS:old.example.com", "IP:192.168.1.3"])

        let text = try agent(["status", "--node", "master01", "--root", root.path])
        XCTAssertTrue(
            text.stdout.contains(
                "names differ    \(apiserverCrt) differs from the config: +IP:192.168.3.9, -DNS:master03.example.com, -DNS:old.example.com, -IP:192.168.1.3; master-agent bootstrap or certs renew --due reissues it"
            ), text.stdout)

        // Converged config, no drift: the list is there and empty.
        try writeConfig(edit: addExtraSANs("old.example.com"))
        let clean = try agent(["status", "--node", "master01", "--root", root.path, "--output", "json"])
        let cleanStatus = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(clean.stdout.utf8)) as? [String: Any], clean.stderr)
        XCTAssertEqual((cleanStatus["certificateNameDrift"] as? [Any])?.count, 0, clean.stdout)
    }

    // MARK: - Helpers

    private struct Found: Equatable {
        let code: CertificateFinding.Code
        let severity: CertificateFinding.Severity
        let file: String
        /// The part of the message that names the names.
        let names: String
    }

    /// The example config on loopback (etcd, the local API on a port nothing listens on), ECDSA for speed.
    private func configText(edit: (String) -> String) throws -> String {
        let text = try TestSupport.fixtureText("modern-cluster.yaml")
            .replacingOccurrences(of: "keyType: rsa-2048", with: "keyType: ecdsa-p256")
            .replacingOccurrences(of: "https://192.168.0.", with: "https://127.0.0.")
            .replacingOccurrences(
                of:
                    "  # localURL: https://127.0.0.1:6443 (modern default; the agent authenticates with super-admin.conf)",
                with: "  localURL: https://127.0.0.1:9")
        XCTAssertTrue(text.contains("localURL: https://127.0.0.1:9"), "the modern example changed shape")
        return edit(text)
    }

    private func load(edit: (String) -> String) throws -> ClusterConfig {
        try ConfigLoader.load(yaml: try configText(edit: edit), file: "cluster.yaml")
    }

    private func writeConfig(edit: (String) -> String) throws {
        if configPath == nil {
            configPath = try TestSupport.makeTemporaryDirectory(self, name: "drift-config").path + "/cluster.yaml"
        }
        try configText(edit: edit).write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    private func agent(_ arguments: [String]) throws -> TestSupport.ProcessResult {
        try TestSupport.agent(arguments + ["--config", configPath])
    }

    /// master01's tree made by the certs step with the config as `edit` makes it.
    private func tree(edit: (String) -> String = { $0 }) throws -> URL {
        let root = try TestSupport.makeTemporaryDirectory(self, name: "drift-root")
        try Support.run(try load(edit: edit), node: "master01", root: root)
        return root
    }

    /// The modern check of master01's tree under `root` against the config as `edit` makes it now.
    private func check(_ root: URL, edit: (String) -> String) throws -> CertificateChecker.Report {
        let config = try load(edit: edit)
        return try ModernCertificateChecker(
            files: RootedFileSystem(root: root.path), pki: OpenSSLToolkit(), config: config,
            node: try XCTUnwrap(config.master(named: "master01")), now: Date()
        ).check()
    }

    private func addExtraSANs(_ names: String) -> (String) -> String {
        { text in
            XCTAssertTrue(text.contains("  caValidityDays: 3650\n"), "the modern example changed shape")
            return text.replacingOccurrences(
                of: "  caValidityDays: 3650\n", with: "  caValidityDays: 3650\n  extraSANs: [\(names)]\n")
        }
    }

    private func removeMaster03(_ text: String) -> String {
        let master03 = "  - name: master03\n    dnsName: master03.example.com\n    address: 192.168.1.3\n"
        XCTAssertTrue(text.contains(master03), "the modern example changed shape")
        return text.replacingOccurrences(of: master03, with: "")
    }

    /// The name findings (missingSAN, extraSAN), with the part of each message that names the names.
    private func nameFindings(_ report: CertificateChecker.Report) -> [Found] {
        report.findings.filter { [.missingSAN, .extraSAN].contains($0.code) }.map { finding in
            let afterFile = finding.message.dropFirst(finding.file.count + 1)
            return Found(
                code: finding.code, severity: finding.severity, file: finding.file,
                names: String(afterFile.prefix { $0 != ";" }))
        }
    }

    /// The files whose rows carry added or removed names.
    private func drifted(_ report: CertificateChecker.Report) -> [String] {
        report.rows.filter { $0.sansMissing != nil || $0.sansExtra != nil }.map(\.file)
    }
}
