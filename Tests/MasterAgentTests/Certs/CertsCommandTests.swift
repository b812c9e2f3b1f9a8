import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// The certs step and `certs` commands, checked with the `openssl` command line.
final class CertsCommandTests: XCTestCase {
    private var root: URL!
    private var configPath: String!
    private var caDir: URL!

    private func openssl(_ arguments: [String]) throws -> TestSupport.ProcessResult {
        try TestSupport.run(URL(fileURLWithPath: "/usr/bin/openssl"), arguments)
    }

    /// A CA made with the openssl CLI, in its own directory (the "CA host").
    private func makeCA(_ name: String) throws -> URL {
        let dir = try TestSupport.makeTemporaryDirectory(self, name: name)
        try TestCA.make(in: dir, subject: "/CN=\(name)", days: 30)
        return dir
    }

    override func setUpWithError() throws {
        root = try TestSupport.makeTemporaryDirectory(self, name: "certs-root")
        caDir = try makeCA("test-root-ca")
        configPath = root.path + "/cluster.yaml"
        try TestSupport.fixtureText("seed-cluster.yaml").write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    private var pkiDir: String { root.path + "/etc/kubernetes/ssl" }

    private func agent(_ arguments: [String]) throws -> TestSupport.ProcessResult {
        try TestSupport.agent(arguments + ["--config", configPath, "--node", "master01", "--root", root.path])
    }

    private func bootstrapCerts(withCA: Bool = true) throws -> TestSupport.ProcessResult {
        try agent(
            ["bootstrap", "--steps", "certs"]
                + (withCA ? ["--ca-cert", caDir.path + "/ca.crt", "--ca-key", caDir.path + "/ca.key"] : []))
    }

    private func derivedSANs() -> String {
        "DNS:localhost, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, "
            + "DNS:loadbalancer.example.com, DNS:master01.example.com, DNS:master02.example.com, "
            + "IP Address:127.0.0.1, IP Address:10.3.0.1, IP Address:192.168.3.1, IP Address:192.168.1.1, IP Address:192.168.1.2"
    }

    func testIssuedMaterialPassesOpenSSLAndRerunIsUnchanged() throws {
        let first = try bootstrapCerts()
        XCTAssertEqual(first.status, 0, first.stdout + first.stderr)
        XCTAssertTrue(first.stdout.contains("certs         changed"), first.stdout)
        let verify = try openssl(["verify", "-CAfile", pkiDir + "/ca.crt", pkiDir + "/apiserver.crt"])
        XCTAssertEqual(verify.status, 0, verify.stderr)
        XCTAssertTrue(verify.stdout.hasSuffix(": OK\n"), verify.stdout)
        let sans = try openssl(["x509", "-in", pkiDir + "/apiserver.crt", "-noout", "-ext", "subjectAltName"])
        let listed = Set(
            sans.stdout.components(separatedBy: "\n")[1].trimmingCharacters(in: .whitespaces).components(
                separatedBy: ", "))
        XCTAssertEqual(listed, Set(derivedSANs().components(separatedBy: ", ")))
        let subject = try openssl([
            "x509", "-in", pkiDir + "/apiserver.crt", "-noout", "-subject", "-ext",
            "keyUsage,extendedKeyUsage,basicConstraints",
        ])
        XCTAssertTrue(subject.stdout.contains("CN = kube-apiserver"), subject.stdout)
        XCTAssertTrue(subject.stdout.contains("Digital Signature, Non Repudiation, Key Encipherment"), subject.stdout)
        XCTAssertTrue(subject.stdout.contains("TLS Web Server Authentication"), subject.stdout)
        XCTAssertTrue(subject.stdout.contains("CA:FALSE"), subject.stdout)
        // The certificate is followed by the CA, as the document's `cat ca.crt >> apiserver.crt`.
        XCTAssertEqual(
            try String(contentsOfFile: pkiDir + "/apiserver.crt", encoding: .utf8).components(
                separatedBy: "BEGIN CERTIFICATE"
            ).count - 1, 2)
        XCTAssertEqual(try openssl(["pkey", "-in", pkiDir + "/apiserver.key", "-noout"]).status, 0)
        let keyMode =
            try FileManager.default.attributesOfItem(atPath: pkiDir + "/apiserver.key")[.posixPermissions] as! NSNumber
        XCTAssertEqual(keyMode.intValue, 0o600)
        let key = try Data(contentsOf: URL(fileURLWithPath: pkiDir + "/apiserver.key"))

        let second = try bootstrapCerts()
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stdout.contains("certs         unchanged"), second.stdout)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: pkiDir + "/apiserver.key")), key)
        let check = try agent(["certs", "check"])
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
        XCTAssertTrue(check.stdout.contains("apiserver.crt"), check.stdout)
    }

    func testWithoutCAKeyTheCSRRoundTripsThroughSignAndImport() throws {
        let pending = try bootstrapCerts(withCA: false)
        XCTAssertEqual(pending.status, ExitStatus.certificatePending.rawValue, pending.stdout + pending.stderr)
        XCTAssertTrue(pending.stdout.contains("master-agent certs sign --csr apiserver.csr"), pending.stdout)
        let csr = pkiDir + "/apiserver.csr"
        XCTAssertEqual(try openssl(["req", "-in", csr, "-noout", "-verify"]).status, 0)
        let csrBytes = try Data(contentsOf: URL(fileURLWithPath: csr))
        XCTAssertEqual(try bootstrapCerts(withCA: false).status, ExitStatus.certificatePending.rawValue)
        XCTAssertEqual(
            try Data(contentsOf: URL(fileURLWithPath: csr)), csrBytes, "a rerun keeps a CSR that still matches")

        // On the CA host.
        let signed = try TestSupport.agent([
            "certs", "sign", "--csr", csr, "--ca-cert", caDir.path + "/ca.crt", "--ca-key", caDir.path + "/ca.key",
            "--days", "90", "--out", caDir.path + "/apiserver.crt",
        ])
        XCTAssertEqual(signed.status, 0, signed.stderr)
        XCTAssertEqual(
            try openssl(["verify", "-CAfile", caDir.path + "/ca.crt", caDir.path + "/apiserver.crt"]).status, 0)
        let sans = try openssl(["x509", "-in", caDir.path + "/apiserver.crt", "-noout", "-ext", "subjectAltName"])
            .stdout
        XCTAssertTrue(sans.contains("DNS:kubernetes.default.svc.cluster.local"), sans)

        let imported = try agent([
            "certs", "import", "--cert", caDir.path + "/apiserver.crt", "--ca-cert", caDir.path + "/ca.crt",
        ])
        XCTAssertEqual(imported.status, 0, imported.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: csr))
        let resumed = try bootstrapCerts(withCA: false)
        XCTAssertEqual(resumed.status, 0, resumed.stdout + resumed.stderr)
    }

    func testKeyModeTooOpenIsRejected() throws {
        XCTAssertEqual(try bootstrapCerts().status, 0)
        chmod(pkiDir + "/apiserver.key", 0o644)
        let result = try bootstrapCerts()
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stdout.contains("has mode 0644; a private key must be 0600"), result.stdout)
        XCTAssertEqual(try agent(["certs", "check"]).status, 1)
    }

    func testExistingKeyIsNeverOverwrittenAndMismatchIsReported() throws {
        XCTAssertEqual(try bootstrapCerts().status, 0)
        // Another key in place of ours: the certificate no longer matches; the agent must not replace the key.
        XCTAssertEqual(try openssl(["genrsa", "-out", pkiDir + "/apiserver.key", "2048"]).status, 0)
        chmod(pkiDir + "/apiserver.key", 0o600)
        let foreignKey = try Data(contentsOf: URL(fileURLWithPath: pkiDir + "/apiserver.key"))
        let result = try bootstrapCerts()
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stdout.contains("does not belong to apiserver.key"), result.stdout)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: pkiDir + "/apiserver.key")), foreignKey)
    }

    func testCertificateFromAnotherCAFails() throws {
        XCTAssertEqual(try bootstrapCerts().status, 0)
        let other = try makeCA("other-ca")
        try FileManager.default.removeItem(atPath: pkiDir + "/ca.crt")
        try FileManager.default.copyItem(atPath: other.path + "/ca.crt", toPath: pkiDir + "/ca.crt")
        let result = try agent(["certs", "check"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stdout.contains("does not verify against"), result.stdout)
        XCTAssertNotEqual(try openssl(["verify", "-CAfile", pkiDir + "/ca.crt", pkiDir + "/apiserver.crt"]).status, 0)
    }

    func testMissingSANIsNamedWithTheFix() throws {
        XCTAssertEqual(try bootstrapCerts().status, 0)
        let text = try String(contentsOfFile: configPath, encoding: .utf8).replacingOccurrences(
            of: "  validityDays: 365", with: "  validityDays: 365\n  extraSANs: [api.example.com, 10.9.9.9]")
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        let result = try agent(["certs", "check"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stdout.contains("lacks subjectAltNames DNS:api.example.com, IP:10.9.9.9"), result.stdout)
        // The SANS column is wide enough for the whole word (it once printed "MISSIN").
        let row = try XCTUnwrap(
            result.stdout.components(separatedBy: "\n").first { $0.hasPrefix("/etc/kubernetes/ssl/apiserver.crt") })
        XCTAssertTrue(row.contains(" MISSING  "), row)
        XCTAssertTrue(result.stdout.contains("master-agent certs renew"), result.stdout)
        let renewed = try agent([
            "certs", "renew", "--ca-cert", caDir.path + "/ca.crt", "--ca-key", caDir.path + "/ca.key",
        ])
        XCTAssertEqual(renewed.status, 0, renewed.stdout + renewed.stderr)
        XCTAssertEqual(try agent(["certs", "check"]).status, 0)
    }

    func testRenewDueRenewsTheLegacyCertificateOnlyWhenDue() throws {
        XCTAssertEqual(try bootstrapCerts().status, 0)
        let ca = ["--ca-cert", caDir.path + "/ca.crt", "--ca-key", caDir.path + "/ca.key"]
        let certPath = pkiDir + "/apiserver.crt", keyPath = pkiDir + "/apiserver.key"
        let cert = try Data(contentsOf: URL(fileURLWithPath: certPath))
        let key = try Data(contentsOf: URL(fileURLWithPath: keyPath))

        // 365 days left is more than the default renewBefore of 30 days: nothing is written.
        let early = try agent(["certs", "renew", "--due"] + ca)
        XCTAssertEqual(early.status, 0, early.stdout + early.stderr)
        XCTAssertTrue(early.stdout.contains("not-due"), early.stdout)
        XCTAssertTrue(early.stdout.contains("no Lease taken, nothing restarted"), early.stdout)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: certPath)), cert)

        // With renewBefore above the lifetime it is due: a new certificate for the same key, with every name.
        let text = try String(contentsOfFile: configPath, encoding: .utf8)
        try text.replacingOccurrences(of: "  validityDays: 365", with: "  validityDays: 365\n  renewBefore: 400d")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let due = try agent(["certs", "renew", "--due", "--output", "json"] + ca)
        XCTAssertEqual(due.status, 0, due.stdout + due.stderr)
        struct Output: Decodable { let coordinated: Bool; let rows: [RenewalRow] }
        let output = try JSONDecoder().decode(Output.self, from: Data(due.stdout.utf8))
        XCTAssertFalse(output.coordinated)
        XCTAssertEqual(output.rows.map(\.outcome), [.renewed])
        XCTAssertEqual(output.rows.first?.file, "/etc/kubernetes/ssl/apiserver.crt")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: keyPath)), key, "renew --due keeps the key")
        XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: certPath)), cert)
        let verify = try openssl(["verify", "-CAfile", pkiDir + "/ca.crt", certPath])
        XCTAssertEqual(verify.status, 0, verify.stderr)
        let sans = try openssl(["x509", "-in", certPath, "-noout", "-ext", "subjectAltName"])
        let listed = sans.stdout.components(separatedBy: "\n")[1].trimmingCharacters(in: .whitespaces)
        XCTAssertEqual(
            Set(listed.components(separatedBy: ", ")), Set(derivedSANs().components(separatedBy: ", ")))
        XCTAssertEqual(try agent(["certs", "check"]).status, 0)
    }

    // MARK: - renew --due on a running legacy master (`--coordinate` under `--root` stands for `/`)

    private struct RenewOutput: Decodable {
        let coordinated: Bool
        let note: String
        let rows: [RenewalRow]
    }

    /// Every file under the test root with its bytes.
    private func treeSnapshot() throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = try XCTUnwrap(FileManager.default.enumerator(atPath: root.path))
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = root.path + "/" + relative
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[relative] = try Data(contentsOf: URL(fileURLWithPath: path))
            }
        }
        return files
    }

    /// Points apiServer.localURL at a loopback socket that listens but is never accepted from: a connection the
    /// agent made would wait in its queue. Returns the socket and the URL.
    private func listenAtLocalURL() throws -> (socket: Int32, url: String) {
        let (fd, port) = try LoopbackListener.open(backlog: 8, nonBlocking: true)
        addTeardownBlock { close(fd) }
        let url = "http://127.0.0.1:\(port)"
        let text = try String(contentsOfFile: configPath, encoding: .utf8)
        XCTAssertTrue(text.contains("localURL: http://127.0.0.1:8080"), "the fixture's localURL moved")
        try text.replacingOccurrences(of: "localURL: http://127.0.0.1:8080", with: "localURL: \(url)")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        return (fd, url)
    }

    /// True when a connection to `socket` is waiting to be accepted.
    private func wasContacted(_ socket: Int32) -> Bool {
        let connection = accept(socket, nil, nil)
        if connection >= 0 { close(connection) }
        return connection >= 0
    }

    func testRenewDueOnARunningLegacyMasterWithNothingDueReportsAndExitsZero() throws {
        XCTAssertEqual(try bootstrapCerts().status, 0)
        let api = try listenAtLocalURL()
        let before = try treeSnapshot()

        let text = try agent(["certs", "renew", "--due", "--coordinate"])
        XCTAssertEqual(text.status, 0, text.stdout + text.stderr)
        let row = try XCTUnwrap(text.stdout.split(separator: "\n").first { $0.hasPrefix("apiserver ") }, text.stdout)
        XCTAssertTrue(row.contains("/etc/kubernetes/ssl/apiserver.crt") && row.hasSuffix(" not-due"), String(row))
        XCTAssertTrue(
            text.stdout.contains("nothing was due, so no coordination was needed: nothing renewed, nothing restarted"),
            text.stdout)
        XCTAssertFalse(text.stdout.contains("renewed locally"), text.stdout)

        let json = try agent(["certs", "renew", "--due", "--coordinate", "--output", "json"])
        XCTAssertEqual(json.status, 0, json.stdout + json.stderr)
        let output = try JSONDecoder().decode(RenewOutput.self, from: Data(json.stdout.utf8))
        XCTAssertFalse(output.coordinated)
        XCTAssertTrue(output.note.hasPrefix("nothing was due"), output.note)
        XCTAssertEqual(
            output.rows,
            [RenewalRow(name: "apiserver", file: "/etc/kubernetes/ssl/apiserver.crt", daysLeft: 364, outcome: .notDue)])

        XCTAssertEqual(try treeSnapshot(), before, "nothing written, not even the node lock")
        XCTAssertFalse(wasContacted(api.socket), "nothing was due: the API server at \(api.url) must not be asked")
    }

    func testRenewDueOnARunningLegacyMasterWithTheCertificateDueExits69WithTheStepsByHand() throws {
        XCTAssertEqual(try bootstrapCerts().status, 0)
        // renewBefore far above the 365-day lifetime: the fresh certificate is due.
        let text = try String(contentsOfFile: configPath, encoding: .utf8)
        try text.replacingOccurrences(of: "  validityDays: 365", with: "  validityDays: 365\n  renewBefore: 36500d")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let api = try listenAtLocalURL()
        let before = try treeSnapshot()

        let due = try agent(["certs", "renew", "--due", "--coordinate"])
        XCTAssertEqual(due.status, ExitStatus.notImplemented.rawValue, due.stdout + due.stderr)
        let row = try XCTUnwrap(due.stdout.split(separator: "\n").first { $0.hasPrefix("apiserver ") }, due.stdout)
        XCTAssertTrue(row.hasSuffix(" due"), String(row))
        XCTAssertFalse(due.stdout.contains("renewed (now") || due.stdout.contains("renewed locally"), due.stdout)
        XCTAssertTrue(due.stdout.contains("nothing renewed"), due.stdout)
        for words in [
            "/etc/kubernetes/ssl/apiserver.crt is due: 364 days left, less than pki.renewBefore (36500d)",
            "is not implemented; nothing was renewed or restarted",
            "on one master at a time",
            "1. master-agent certs renew --node master01 --config \(configPath!) --root \(root.path) --ca-cert CA.crt --ca-key CA.key\n",
            "no --new-key",
            "move /etc/kubernetes/manifests/kube-apiserver.yaml out of /etc/kubernetes/manifests",
            "3. wait until \(api.url)/healthz answers ok, then run master-agent certs check --node master01",
        ] {
            XCTAssertTrue(due.stderr.contains(words), "lacks \"\(words)\": " + due.stderr)
        }

        let json = try agent(["certs", "renew", "--due", "--coordinate", "--output", "json"])
        XCTAssertEqual(json.status, ExitStatus.notImplemented.rawValue, json.stdout + json.stderr)
        let output = try JSONDecoder().decode(RenewOutput.self, from: Data(json.stdout.utf8))
        XCTAssertFalse(output.coordinated)
        XCTAssertTrue(output.note.hasPrefix("nothing renewed"), output.note)
        XCTAssertEqual(
            output.rows,
            [RenewalRow(name: "apiserver", file: "/etc/kubernetes/ssl/apiserver.crt", daysLeft: 364, outcome: .due)])
        XCTAssertTrue(json.stderr.contains("apiserver.crt is due"), json.stderr)

        XCTAssertEqual(try treeSnapshot(), before, "apiserver.crt and every other file byte for byte as they were")
        XCTAssertFalse(
            wasContacted(api.socket), "legacy renews nothing: the API server at \(api.url) must not be asked")

        // An expired certificate says so, and is left as it is too.
        let toolkit = OpenSSLToolkit()
        let config = try ConfigLoader.load(yaml: String(contentsOfFile: configPath, encoding: .utf8), file: configPath)
        let csr = try toolkit.makeCSR(
            keyPEM: try Data(contentsOf: URL(fileURLWithPath: pkiDir + "/apiserver.key")),
            commonName: "kube-apiserver", sans: APIServerSANs.required(config))
        let expired = try toolkit.sign(
            csrPEM: csr, caCertPEM: try Data(contentsOf: URL(fileURLWithPath: caDir.path + "/ca.crt")),
            caKeyPEM: try Data(contentsOf: URL(fileURLWithPath: caDir.path + "/ca.key")), validityDays: 10,
            notBefore: Date().addingTimeInterval(-20 * 86400))
        try expired.write(to: URL(fileURLWithPath: pkiDir + "/apiserver.crt"))
        let late = try agent(["certs", "renew", "--due", "--coordinate"])
        XCTAssertEqual(late.status, ExitStatus.notImplemented.rawValue, late.stdout + late.stderr)
        XCTAssertTrue(late.stderr.contains("/etc/kubernetes/ssl/apiserver.crt has expired (-1"), late.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: pkiDir + "/apiserver.crt")), expired)
        XCTAssertFalse(wasContacted(api.socket))
    }

    func testBootstrapAndRenewShareTheCAOptionRules() throws {
        XCTAssertEqual(try bootstrapCerts().status, 0)
        let missing = caDir.path + "/missing.key"
        for command in [["bootstrap", "--steps", "certs"], ["certs", "renew"]] {
            let alone = try agent(command + ["--ca-cert", caDir.path + "/ca.crt"])
            XCTAssertEqual(alone.status, ExitStatus.usage.rawValue, "\(command): " + alone.stderr)
            XCTAssertTrue(alone.stderr.contains("--ca-cert and --ca-key go together"), alone.stderr)
            let unreadable = try agent(command + ["--ca-cert", caDir.path + "/ca.crt", "--ca-key", missing])
            XCTAssertEqual(unreadable.status, 1, "\(command): " + unreadable.stderr)
            XCTAssertTrue(
                unreadable.stderr.contains("could not read \(missing): it does not exist or is not readable"),
                unreadable.stderr)
            let help = try TestSupport.agent(command + ["--help"])
            XCTAssertTrue(
                help.stdout.contains("--ca-cert <ca-cert>") && help.stdout.contains("--ca-key <ca-key>"), help.stdout)
        }
    }

    func testExpiredAndNotYetValidCertificatesFail() throws {
        XCTAssertEqual(try bootstrapCerts().status, 0)
        let toolkit = OpenSSLToolkit()
        let keyPEM = try Data(contentsOf: URL(fileURLWithPath: pkiDir + "/apiserver.key"))
        let caCert = try Data(contentsOf: URL(fileURLWithPath: caDir.path + "/ca.crt"))
        let caKey = try Data(contentsOf: URL(fileURLWithPath: caDir.path + "/ca.key"))
        let config = try ConfigLoader.load(yaml: String(contentsOfFile: configPath, encoding: .utf8), file: configPath)
        let csr = try toolkit.makeCSR(
            keyPEM: keyPEM, commonName: "kube-apiserver", sans: APIServerSANs.required(config))
        for (notBefore, words) in [
            (Date().addingTimeInterval(-20 * 86400), "expired on"),
            (Date().addingTimeInterval(5 * 86400), "is not valid before"),
        ] {
            let chain = try toolkit.sign(
                csrPEM: csr, caCertPEM: caCert, caKeyPEM: caKey, validityDays: 10, notBefore: notBefore)
            try chain.write(to: URL(fileURLWithPath: pkiDir + "/apiserver.crt"))
            let result = try agent(["certs", "check"])
            XCTAssertEqual(result.status, 1, words)
            XCTAssertTrue(result.stdout.contains(words), result.stdout)
            XCTAssertEqual(try bootstrapCerts().status, 1, "bootstrap must refuse it too")
        }
    }

    func testExpiringSoonIsAWarningNotAnError() throws {
        let text = try String(contentsOfFile: configPath, encoding: .utf8).replacingOccurrences(
            of: "  validityDays: 365", with: "  validityDays: 10")
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        XCTAssertEqual(try bootstrapCerts().status, 0)
        let result = try agent(["certs", "check", "--output", "json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        let findings = object["findings"] as! [[String: Any]]
        XCTAssertEqual(findings.map { $0["code"] as? String }, ["expiresSoon"])
        XCTAssertEqual(object["healthy"] as? Bool, true)
    }

    func testRenewKeepsTheKeyUnlessANewOneIsAskedForWithAWarning() throws {
        XCTAssertEqual(try bootstrapCerts().status, 0)
        let keyPath = pkiDir + "/apiserver.key", certPath = pkiDir + "/apiserver.crt"
        let key = try Data(contentsOf: URL(fileURLWithPath: keyPath))
        let cert = try Data(contentsOf: URL(fileURLWithPath: certPath))
        let ca = ["--ca-cert", caDir.path + "/ca.crt", "--ca-key", caDir.path + "/ca.key"]

        let renewed = try agent(["certs", "renew"] + ca)
        XCTAssertEqual(renewed.status, 0, renewed.stdout + renewed.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: keyPath)), key, "renew keeps the key")
        XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: certPath)), cert, "renew issues a new certificate")
        XCTAssertFalse(renewed.stderr.contains("service-account"), renewed.stderr)

        let rekeyed = try agent(["certs", "renew", "--new-key"] + ca)
        XCTAssertEqual(rekeyed.status, 0, rekeyed.stdout + rekeyed.stderr)
        XCTAssertTrue(
            rekeyed.stderr.contains("every service-account token signed with the old key stops working"), rekeyed.stderr
        )
        XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: keyPath)), key)
        XCTAssertEqual(try agent(["certs", "check"]).status, 0, "the new certificate matches the new key")

        // Without a CA the renewal cannot finish: the old key and certificate are put back.
        let before = (
            try Data(contentsOf: URL(fileURLWithPath: keyPath)), try Data(contentsOf: URL(fileURLWithPath: certPath))
        )
        let failed = try agent(["certs", "renew", "--new-key"])
        XCTAssertEqual(failed.status, ExitStatus.certificatePending.rawValue, failed.stdout + failed.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: keyPath)), before.0)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: certPath)), before.1)
    }
}
