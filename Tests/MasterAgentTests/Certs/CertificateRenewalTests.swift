import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime

/// `certs renew --due` under the modern profile: a tree issued 340 days ago (a clock the test controls) has every
/// leaf due under the default `pki.renewBefore` of 30 days, its CAs not.
final class CertificateRenewalTests: XCTestCase {
    private typealias Support = ModernCertsTestSupport
    private let pkiDir = "/etc/kubernetes/pki"
    private let leafFiles = [
        "/etc/kubernetes/pki/apiserver.crt", "/etc/kubernetes/pki/apiserver-kubelet-client.crt",
        "/etc/kubernetes/pki/front-proxy-client.crt", "/etc/kubernetes/admin.conf",
        "/etc/kubernetes/super-admin.conf", "/etc/kubernetes/controller-manager.conf",
        "/etc/kubernetes/scheduler.conf", "/etc/kubernetes/kubelet.conf", "/etc/kubernetes/proxy.conf",
    ]
    private var configPath: String!
    private var config: ClusterConfig!

    override func setUpWithError() throws {
        try write(config: { $0 })
    }

    private func write(config edit: (String) -> String) throws {
        let dir = try TestSupport.makeTemporaryDirectory(self, name: "renew-config")
        configPath = dir.path + "/cluster.yaml"
        let text = edit(
            try TestSupport.fixtureText("modern-cluster.yaml")
                .replacingOccurrences(of: "keyType: rsa-2048", with: "keyType: ecdsa-p256")
                .replacingOccurrences(of: "https://192.168.0.", with: "https://127.0.0."))
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        config = try ConfigLoader.load(yaml: text, file: configPath)
    }

    /// A config edit that adds `pki.extraSANs: [names]`.
    private func withExtraSANs(_ names: String) -> (String) -> String {
        {
            $0.replacingOccurrences(
                of: "  caValidityDays: 3650", with: "  caValidityDays: 3650\n  extraSANs: [\(names)]")
        }
    }

    private func agent(_ arguments: [String]) throws -> TestSupport.ProcessResult {
        try TestSupport.agent(arguments + ["--config", configPath])
    }

    /// master01's tree issued `daysAgo` days ago.
    private func agedTree(daysAgo: Double) throws -> URL {
        let root = try TestSupport.makeTemporaryDirectory(self, name: "renew-root")
        let context = Support.context(
            config, node: "master01", root: root, now: Date().addingTimeInterval(-daysAgo * 86400))
        _ = try CertsStep().run(context)
        return root
    }

    private struct Output: Decodable {
        let coordinated: Bool
        let note: String
        let rows: [RenewalRow]
    }

    /// The certificate and key PEM of a leaf file (a `.crt` beside its `.key`, or a kubeconfig).
    private func material(_ root: URL, _ file: String) throws -> (certificate: Data, key: Data) {
        let data = try Data(contentsOf: URL(fileURLWithPath: Support.host(root, file)))
        if file.hasSuffix(".crt") {
            let key = try Data(
                contentsOf: URL(fileURLWithPath: Support.host(root, String(file.dropLast(4)) + ".key")))
            return (data, key)
        }
        let credentials = try Kubeconfig.decode(String(decoding: data, as: UTF8.self), file: file)
            .currentCredentials(file: file)
        return (credentials.clientCertificatePEM, credentials.clientKeyPEM)
    }

    func testDueLeavesAreRenewedWithTheSameKeyAndEveryName() throws {
        let root = try agedTree(daysAgo: 340)
        let before = try Support.snapshot(root)
        let oldMaterial = try Dictionary(uniqueKeysWithValues: leafFiles.map { ($0, try material(root, $0)) })

        let result = try agent([
            "certs", "renew", "--due", "--node", "master01", "--root", root.path, "--output", "json",
        ])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let output = try JSONDecoder().decode(Output.self, from: Data(result.stdout.utf8))
        XCTAssertFalse(output.coordinated)
        XCTAssertTrue(output.note.contains("no Lease taken, nothing restarted"), output.note)
        XCTAssertEqual(Set(output.rows.filter { $0.outcome == .renewed }.map(\.file)), Set(leafFiles))
        for row in output.rows where row.outcome == .renewed {
            XCTAssertEqual(row.daysLeft, 24, row.file)
            XCTAssertEqual(row.newDaysLeft, 364, row.file)
        }
        let authorities = output.rows.filter { $0.outcome == .authority }
        XCTAssertEqual(Set(authorities.map(\.name)), ["ca", "front-proxy-ca"])
        XCTAssertTrue(authorities.allSatisfy { $0.daysLeft > 3000 }, "\(authorities)")

        // Only the leaves changed (and the node lock); the CAs, keys and shared files are untouched.
        let after = try Support.snapshot(root)
        let changed = Set(after.keys.filter { after[$0]?.data != before[$0]?.data }).subtracting([
            "/run/master-agent.lock"
        ])
        XCTAssertEqual(changed, Set(leafFiles))
        let toolkit = OpenSSLToolkit()
        let tree = PKITree.modern(ModernPKIInputs(config, node: config.master(named: "master01")!))
        let caFile = Support.host(root, "\(pkiDir)/ca.crt")
        for spec in tree.allCertificates where !spec.isCertificateAuthority {
            let file = ModernPKIPaths(config).certificate(spec)
            let (certificate, key) = try material(root, file)
            XCTAssertEqual(key, oldMaterial[file]?.key, "\(file) keeps its key")
            XCTAssertNotEqual(certificate, oldMaterial[file]?.certificate, "\(file) is a new certificate")
            let facts = try XCTUnwrap(toolkit.inspect(certificatesPEM: certificate, source: file).first)
            XCTAssertEqual(facts.publicKeyDER, try toolkit.publicKey(ofKey: key), file)
            XCTAssertEqual(Set(facts.subjectAltNames), Set(spec.subjectAltNames), file)
            let scratch = try TestSupport.makeTemporaryDirectory(self, name: "leaf").path + "/leaf.crt"
            try certificate.write(to: URL(fileURLWithPath: scratch))
            let trusted =
                spec.issuer == PKITree.frontProxyCA ? Support.host(root, "\(pkiDir)/front-proxy-ca.crt") : caFile
            try Support.assertVerifies(
                scratch, ca: trusted, purpose: spec.usage == .serverAuth ? "sslserver" : "sslclient")
        }

        // A second run finds nothing due and writes nothing.
        let again = try agent(["certs", "renew", "--due", "--node", "master01", "--root", root.path])
        XCTAssertEqual(again.status, 0, again.stdout + again.stderr)
        XCTAssertFalse(again.stdout.contains("renewed (now"), again.stdout)
        XCTAssertTrue(again.stdout.contains("not-due"), again.stdout)
        XCTAssertTrue(again.stdout.contains("nothing renewed locally under --root"), again.stdout)
        let final = try Support.snapshot(root)
        XCTAssertEqual(
            Set(final.keys.filter { final[$0]?.data != after[$0]?.data }).subtracting(["/run/master-agent.lock"]), [])
    }

    func testNothingIsDueWellBeforeRenewBefore() throws {
        let root = try agedTree(daysAgo: 300)
        let before = try Support.snapshot(root)
        let result = try agent([
            "certs", "renew", "--due", "--node", "master01", "--root", root.path, "--output", "json",
        ])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let output = try JSONDecoder().decode(Output.self, from: Data(result.stdout.utf8))
        let leaves = output.rows.filter { $0.outcome != .authority }
        XCTAssertEqual(leaves.count, leafFiles.count)
        XCTAssertTrue(leaves.allSatisfy { $0.outcome == .notDue && $0.daysLeft == 64 }, "\(leaves)")
        let after = try Support.snapshot(root)
        XCTAssertEqual(
            Set(after.keys.filter { after[$0]?.data != before[$0]?.data }).subtracting(["/run/master-agent.lock"]), [])
    }

    func testANameAddedToTheConfigReissuesOnlyTheAPIServerCertificate() throws {
        let root = try agedTree(daysAgo: 10)
        let before = try Support.snapshot(root)
        try write(config: withExtraSANs("10.9.9.9, api.example.org"))
        // The drift is shown before it is fixed.
        let check = try agent(["certs", "check", "--node", "master01", "--root", root.path])
        XCTAssertTrue(
            check.stdout.contains("apiserver.crt lacks subjectAltNames DNS:api.example.org, IP:10.9.9.9"),
            check.stdout + check.stderr)
        XCTAssertTrue(
            check.stdout.contains("run `master-agent bootstrap` or `master-agent certs renew --due`"), check.stdout)
        let result = try agent([
            "certs", "renew", "--due", "--node", "master01", "--root", root.path, "--output", "json",
        ])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let output = try JSONDecoder().decode(Output.self, from: Data(result.stdout.utf8))
        XCTAssertEqual(output.rows.filter { $0.outcome == .renewed }.map(\.name), ["apiserver"], "\(output.rows)")
        XCTAssertEqual(output.rows.first { $0.name == "apiserver" }?.namesChanged, true)
        let after = try Support.snapshot(root)
        XCTAssertEqual(
            Set(after.keys.filter { after[$0]?.data != before[$0]?.data }).subtracting(["/run/master-agent.lock"]),
            ["\(pkiDir)/apiserver.crt"])
        let path = Support.host(root, "\(pkiDir)/apiserver.crt")
        try Support.assertVerifies(path, ca: Support.host(root, "\(pkiDir)/ca.crt"), purpose: "sslserver")
        let facts = try Support.facts(path)
        XCTAssertTrue(facts.subjectAltNames.contains(.ip("10.9.9.9")), "\(facts.subjectAltNames)")
        XCTAssertTrue(facts.subjectAltNames.contains(.dns("api.example.org")), "\(facts.subjectAltNames)")
        let renewed = try material(root, "\(pkiDir)/apiserver.crt")
        XCTAssertEqual(renewed.key, before["\(pkiDir)/apiserver.key"]?.data, "the key file is kept")
        XCTAssertEqual(facts.publicKeyDER, try OpenSSLToolkit().publicKey(ofKey: renewed.key), "issued for that key")
        let text = try TestSupport.run(
            URL(fileURLWithPath: "/usr/bin/openssl"), ["x509", "-in", path, "-noout", "-ext", "subjectAltName"])
        XCTAssertTrue(text.stdout.contains("IP Address:10.9.9.9"), text.stdout)

        // Converged: a rerun reissues nothing.
        let again = try agent(["certs", "renew", "--due", "--node", "master01", "--root", root.path])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(
            try Support.snapshot(root)["\(pkiDir)/apiserver.crt"]?.data, after["\(pkiDir)/apiserver.crt"]?.data)
    }

    func testBootstrapAfterALoadBalancerAddressChangeReissuesOnlyTheAPIServerCertificate() throws {
        let root = try TestSupport.makeTemporaryDirectory(self, name: "bootstrap-names-root")
        let bootstrap = ["bootstrap", "--steps", "certs,manifests", "--node", "master01", "--root", root.path]
        let first = try agent(bootstrap)
        XCTAssertEqual(first.status, 0, first.stdout + first.stderr)
        let before = try Support.snapshot(root)
        let keyBefore = try XCTUnwrap(before["\(pkiDir)/apiserver.key"]?.data)
        try write(config: { $0.replacingOccurrences(of: "address: 192.168.3.1", with: "address: 192.168.3.7") })

        let preview = try agent(bootstrap + ["--dry-run"])
        XCTAssertEqual(preview.status, 0, preview.stdout + preview.stderr)
        XCTAssertTrue(
            preview.stdout.contains("\(pkiDir)/apiserver.crt")
                && preview.stdout.contains("reissued with the config's names"),
            preview.stdout)
        XCTAssertEqual(
            try Support.snapshot(root).mapValues(\.data), before.mapValues(\.data), "a dry run writes nothing")

        let rerun = try agent(bootstrap)
        XCTAssertEqual(rerun.status, 0, rerun.stdout + rerun.stderr)
        XCTAssertTrue(
            rerun.stdout.contains(
                "names changed: reissued \(pkiDir)/apiserver.crt locally under --root \(root.path): no Lease taken, nothing restarted"
            ), rerun.stdout)
        let after = try Support.snapshot(root)
        XCTAssertEqual(
            Set(after.keys.filter { after[$0]?.data != before[$0]?.data }).subtracting(["/run/master-agent.lock"]),
            ["\(pkiDir)/apiserver.crt"], "only apiserver.crt changes; no manifest is touched under --root")
        let path = Support.host(root, "\(pkiDir)/apiserver.crt")
        try Support.assertVerifies(path, ca: Support.host(root, "\(pkiDir)/ca.crt"), purpose: "sslserver")
        let facts = try Support.facts(path)
        XCTAssertTrue(facts.subjectAltNames.contains(.ip("192.168.3.7")), "\(facts.subjectAltNames)")
        XCTAssertFalse(facts.subjectAltNames.contains(.ip("192.168.3.1")), "\(facts.subjectAltNames)")
        XCTAssertEqual(facts.publicKeyDER, try OpenSSLToolkit().publicKey(ofKey: keyBefore), "the same key")

        // Converged: a third run changes nothing.
        let third = try agent(bootstrap)
        XCTAssertEqual(third.status, 0, third.stdout + third.stderr)
        XCTAssertFalse(third.stdout.contains("names changed"), third.stdout)
        let final = try Support.snapshot(root)
        XCTAssertEqual(
            Set(final.keys.filter { final[$0]?.data != after[$0]?.data }).subtracting(["/run/master-agent.lock"]), [])
    }

    func testBootstrapAfterANameIsRemovedReissuesTheAPIServerCertificateWithoutIt() throws {
        try write(config: withExtraSANs("old.example.org"))
        let root = try TestSupport.makeTemporaryDirectory(self, name: "bootstrap-removed-name")
        let bootstrap = ["bootstrap", "--steps", "certs", "--node", "master01", "--root", root.path]
        XCTAssertEqual(try agent(bootstrap).status, 0)
        let before = try Support.snapshot(root)
        try write(config: { $0 })

        let status = try agent(["status", "--node", "master01", "--root", root.path])
        XCTAssertTrue(status.stdout.contains("-DNS:old.example.org"), status.stdout + status.stderr)
        let rerun = try agent(bootstrap)
        XCTAssertEqual(rerun.status, 0, rerun.stdout + rerun.stderr)
        XCTAssertTrue(rerun.stdout.contains("names changed: reissued \(pkiDir)/apiserver.crt locally"), rerun.stdout)
        let after = try Support.snapshot(root)
        XCTAssertEqual(
            Set(after.keys.filter { after[$0]?.data != before[$0]?.data }).subtracting(["/run/master-agent.lock"]),
            ["\(pkiDir)/apiserver.crt"])
        let path = Support.host(root, "\(pkiDir)/apiserver.crt")
        let facts = try Support.facts(path)
        XCTAssertFalse(facts.subjectAltNames.contains(.dns("old.example.org")), "\(facts.subjectAltNames)")
        XCTAssertEqual(
            Set(facts.subjectAltNames), Set(APIServerSANs.required(ModernPKIInputs(config, node: config.masters[0]))))
        try Support.assertVerifies(path, ca: Support.host(root, "\(pkiDir)/ca.crt"), purpose: "sslserver")
    }

    func testBootstrapAfterTheLoadBalancerIsRenamedRepointsAdminConfAndReissuesTheAPIServerCertificate() throws {
        let root = try TestSupport.makeTemporaryDirectory(self, name: "bootstrap-renamed-lb")
        let bootstrap = ["bootstrap", "--steps", "certs", "--node", "master01", "--root", root.path]
        XCTAssertEqual(try agent(bootstrap).status, 0)
        let before = try Support.snapshot(root)
        try write(config: {
            $0.replacingOccurrences(of: "dnsName: loadbalancer.example.com", with: "dnsName: api.example.net")
        })

        let rerun = try agent(bootstrap)
        XCTAssertEqual(rerun.status, 0, rerun.stdout + rerun.stderr)
        let after = try Support.snapshot(root)
        let people = ["/etc/kubernetes/admin.conf", "/etc/kubernetes/super-admin.conf"]
        XCTAssertEqual(
            Set(after.keys.filter { after[$0]?.data != before[$0]?.data }).subtracting(["/run/master-agent.lock"]),
            Set(people + ["\(pkiDir)/apiserver.crt"]))
        for file in people {
            XCTAssertTrue(
                rerun.stdout.contains("server https://loadbalancer.example.com:6443 -> https://api.example.net:6443"),
                rerun.stdout)
            let old = try Kubeconfig.decode(String(decoding: before[file]!.data, as: UTF8.self), file: file)
            var new = try Kubeconfig.decode(String(decoding: after[file]!.data, as: UTF8.self), file: file)
            XCTAssertEqual(new.clusters.map(\.cluster.server), ["https://api.example.net:6443"], file)
            new.clusters[0].cluster.server = old.clusters[0].cluster.server
            XCTAssertEqual(new, old, "\(file): only the server changes, the credentials stay")
            XCTAssertEqual(after[file]?.mode, 0o600)
        }
        let facts = try Support.facts(Support.host(root, "\(pkiDir)/apiserver.crt"))
        XCTAssertTrue(facts.subjectAltNames.contains(.dns("api.example.net")), "\(facts.subjectAltNames)")
        XCTAssertFalse(facts.subjectAltNames.contains(.dns("loadbalancer.example.com")), "\(facts.subjectAltNames)")
        let check = try agent(["certs", "check", "--node", "master01", "--root", root.path])
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
    }

    func testRenewBeforeFromTheConfigDecides() throws {
        try write(config: {
            $0.replacingOccurrences(of: "  validityDays: 365", with: "  validityDays: 365\n  renewBefore: 70d")
        })
        XCTAssertEqual(config.pki.renewBefore.seconds, 70 * 86400)
        let root = try agedTree(daysAgo: 300)
        let result = try agent([
            "certs", "renew", "--due", "--node", "master01", "--root", root.path, "--output", "json",
        ])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let output = try JSONDecoder().decode(Output.self, from: Data(result.stdout.utf8))
        XCTAssertEqual(output.rows.filter { $0.outcome == .renewed }.count, leafFiles.count)
    }

    func testNewKeyReplacesTheKeysAndTheCertificatesMatchThem() throws {
        let root = try agedTree(daysAgo: 340)
        let oldMaterial = try Dictionary(uniqueKeysWithValues: leafFiles.map { ($0, try material(root, $0)) })
        let result = try agent(["certs", "renew", "--due", "--new-key", "--node", "master01", "--root", root.path])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let toolkit = OpenSSLToolkit()
        for file in leafFiles {
            let (certificate, key) = try material(root, file)
            XCTAssertNotEqual(key, oldMaterial[file]?.key, file)
            let facts = try XCTUnwrap(toolkit.inspect(certificatesPEM: certificate, source: file).first)
            XCTAssertEqual(facts.publicKeyDER, try toolkit.publicKey(ofKey: key), file)
        }
        let check = try agent(["certs", "check", "--node", "master01", "--root", root.path])
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
    }

    /// master01's tree issued `daysAgo` days ago, then made an offline CA's: the config names ca.crt in `pki.caCert`
    /// (plus `edit`), ca.key is only on the returned CA host (`--ca-dir`).
    private func offlineTree(daysAgo: Double, edit: @escaping (String) -> String = { $0 }) throws -> (
        root: URL, caHost: URL
    ) {
        let root = try agedTree(daysAgo: daysAgo)
        let caHost = try TestSupport.makeTemporaryDirectory(self, name: "ca-host")
        for file in ["ca.crt", "ca.key"] {
            try FileManager.default.copyItem(
                atPath: Support.host(root, "\(pkiDir)/\(file)"), toPath: caHost.path + "/\(file)")
        }
        try FileManager.default.removeItem(atPath: Support.host(root, "\(pkiDir)/ca.key"))
        try write(config: {
            edit(
                $0.replacingOccurrences(
                    of: "  dir: /etc/kubernetes/pki",
                    with: "  dir: /etc/kubernetes/pki\n  caCert: \(self.pkiDir)/ca.crt"))
        })
        return (root, caHost)
    }

    /// Copies `requests` (node paths) into a new `master01-csr` directory, signs them there as the CA host does and
    /// returns the directory.
    private func signOnTheCAHost(_ requests: [String], root: URL, caHost: URL) throws -> URL {
        let csrDir = try TestSupport.makeTemporaryDirectory(self, name: "transfer").appendingPathComponent(
            "master01-csr")
        try FileManager.default.createDirectory(at: csrDir, withIntermediateDirectories: true)
        for request in requests {
            try FileManager.default.copyItem(
                atPath: Support.host(root, request),
                toPath: csrDir.path + "/" + (request as NSString).lastPathComponent)
        }
        let signed = try agent([
            "certs", "sign", "--node", "master01", "--csr-dir", csrDir.path, "--ca-dir", caHost.path,
        ])
        XCTAssertEqual(signed.status, 0, signed.stdout + signed.stderr)
        return csrDir
    }

    /// Files whose bytes differ between two snapshots (or exist in one only), the node lock aside.
    private func changed(
        _ before: [String: (data: Data, mode: Int)], _ after: [String: (data: Data, mode: Int)]
    ) -> Set<String> {
        Set(Set(before.keys).union(after.keys).filter { before[$0]?.data != after[$0]?.data }).subtracting([
            "/run/master-agent.lock"
        ])
    }

    /// Whether two snapshots hold the same files with the same bytes and modes.
    private func identical(
        _ before: [String: (data: Data, mode: Int)], _ after: [String: (data: Data, mode: Int)]
    ) -> Bool {
        Set(before.keys) == Set(after.keys)
            && before.allSatisfy { after[$0.key]?.data == $0.value.data && after[$0.key]?.mode == $0.value.mode }
    }

    /// The inode of a node file: an atomic write replaces it, so the same inode means the file was not rewritten.
    private func inode(_ root: URL, _ file: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: Support.host(root, file))
        return try XCTUnwrap(attributes[.systemFileNumber] as? NSNumber).intValue
    }

    /// The notAfter of the certificate in `file` (a host path), as the agent prints it.
    private func notAfter(_ file: String) throws -> String {
        let facts = try OpenSSLToolkit().inspect(
            certificatesPEM: try Data(contentsOf: URL(fileURLWithPath: file)), source: file)
        return try XCTUnwrap(facts.first).notAfter.formatted(.iso8601)
    }

    func testAnOfflineCAsNameChangeIsRequestedForTheSameKeySignedOnTheCAHostAndImported() throws {
        let (root, caHost) = try offlineTree(daysAgo: 10, edit: withExtraSANs("10.9.9.9, api.example.org"))
        let before = try Support.snapshot(root)
        let renew = ["certs", "renew", "--due", "--node", "master01", "--root", root.path]
        let result = try agent(renew)
        XCTAssertEqual(result.status, ExitStatus.certificatePending.rawValue, result.stdout + result.stderr)
        XCTAssertTrue(
            result.stdout.split(separator: "\n").contains {
                $0.hasPrefix("apiserver ")
                    && $0.contains("needs-ca-host, names changed, request \(pkiDir)/apiserver.csr")
            }, result.stdout)
        for expected in [
            "could not renew 1 certificate(s) on master01: \(pkiDir)/ca.key is not on this master",
            "copy these requests into one directory (e.g. master01-csr/) on the CA host:\n       \(pkiDir)/apiserver.csr\n",
            "master-agent certs sign --config cluster.yaml --node master01 --csr-dir master01-csr --ca-dir /etc/kubernetes/pki",
            "copy master01-csr/ back here and run:\n       master-agent certs import --node master01 --dir master01-csr",
        ] {
            XCTAssertTrue(result.stderr.contains(expected), "\(expected)\n---\n\(result.stderr)")
        }
        // Only the request is new: no certificate changed.
        let requested = try Support.snapshot(root)
        XCTAssertEqual(changed(before, requested), ["\(pkiDir)/apiserver.csr"])
        XCTAssertEqual(requested["\(pkiDir)/apiserver.csr"]?.mode, 0o644)
        let request = Support.host(root, "\(pkiDir)/apiserver.csr")
        let verified = try OpenSSLTestSupport.openssl(["req", "-in", request, "-noout", "-verify"])
        XCTAssertEqual(verified.status, 0, verified.stderr)
        let requestKey = try OpenSSLTestSupport.openssl(["req", "-in", request, "-noout", "-pubkey"])
        let key = try OpenSSLTestSupport.openssl([
            "pkey", "-in", Support.host(root, "\(pkiDir)/apiserver.key"), "-pubout",
        ])
        XCTAssertEqual(requestKey.stdout, key.stdout, "the request is for the existing key")
        XCTAssertTrue(requestKey.stdout.contains("BEGIN PUBLIC KEY"), requestKey.stdout)
        let text = try OpenSSLTestSupport.openssl(["req", "-in", request, "-noout", "-text"])
        XCTAssertTrue(
            text.stdout.contains("IP Address:10.9.9.9") && text.stdout.contains("DNS:api.example.org"), text.stdout)

        // A rerun keeps the request as it is (ECDSA signatures differ each time: equal bytes mean not rewritten).
        let again = try agent(renew)
        XCTAssertEqual(again.status, ExitStatus.certificatePending.rawValue, again.stdout + again.stderr)
        XCTAssertEqual(changed(requested, try Support.snapshot(root)), [])

        let csrDir = try signOnTheCAHost(["\(pkiDir)/apiserver.csr"], root: root, caHost: caHost)
        let importSigned = ["certs", "import", "--node", "master01", "--dir", csrDir.path, "--root", root.path]
        let imported = try agent(importSigned)
        XCTAssertEqual(imported.status, 0, imported.stdout + imported.stderr)
        XCTAssertTrue(imported.stdout.contains("imported apiserver.crt into \(pkiDir)/apiserver.crt"), imported.stdout)
        XCTAssertTrue(
            imported.stdout.contains("replaced locally under --root \(root.path): no Lease taken, nothing restarted"),
            imported.stdout)
        let after = try Support.snapshot(root)

        // apiserver.crt stays in the directory: the same import again is a no-op that says so.
        let installedInode = try inode(root, "\(pkiDir)/apiserver.crt")
        let reimported = try agent(importSigned)
        XCTAssertEqual(reimported.status, 0, reimported.stdout + reimported.stderr)
        XCTAssertTrue(
            reimported.stdout.contains("apiserver.crt is already installed in \(pkiDir)/apiserver.crt"),
            reimported.stdout)
        XCTAssertTrue(
            reimported.stdout.contains(
                "nothing imported: every signed certificate in \(csrDir.path) is already installed; no Lease taken, nothing written"
            ), reimported.stdout)
        XCTAssertFalse(reimported.stdout.contains("imported apiserver.crt"), reimported.stdout)
        XCTAssertFalse(reimported.stdout.contains("replaced locally"), reimported.stdout)
        XCTAssertTrue(identical(after, try Support.snapshot(root)), "the tree, node lock included, is as it was")
        XCTAssertEqual(try inode(root, "\(pkiDir)/apiserver.crt"), installedInode, "apiserver.crt not rewritten")

        XCTAssertEqual(changed(before, after), ["\(pkiDir)/apiserver.crt"], "the request is gone, nothing else changed")
        XCTAssertEqual(after["\(pkiDir)/apiserver.crt"]?.mode, 0o644)
        let path = Support.host(root, "\(pkiDir)/apiserver.crt")
        try Support.assertVerifies(path, ca: Support.host(root, "\(pkiDir)/ca.crt"), purpose: "sslserver")
        let facts = try XCTUnwrap(
            try OpenSSLToolkit().inspect(
                certificatesPEM: try Data(contentsOf: URL(fileURLWithPath: path)), source: path
            )
            .first)
        XCTAssertTrue(facts.subjectAltNames.contains(.ip("10.9.9.9")), "\(facts.subjectAltNames)")
        XCTAssertTrue(facts.subjectAltNames.contains(.dns("api.example.org")), "\(facts.subjectAltNames)")
        XCTAssertEqual(
            facts.publicKeyDER,
            try OpenSSLToolkit().publicKey(ofKey: try XCTUnwrap(before["\(pkiDir)/apiserver.key"]?.data)))

        // Converged: nothing due, nothing drifted.
        let check = try agent(["certs", "check", "--node", "master01", "--root", root.path])
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
        let final = try agent(renew)
        XCTAssertEqual(final.status, 0, final.stdout + final.stderr)
        XCTAssertEqual(changed(after, try Support.snapshot(root)), [])
    }

    func testAnImportForAnotherKeyIsRefusedAndNothingIsWritten() throws {
        let (root, caHost) = try offlineTree(daysAgo: 340)
        let result = try agent(["certs", "renew", "--due", "--node", "master01", "--root", root.path])
        XCTAssertEqual(result.status, ExitStatus.certificatePending.rawValue, result.stdout + result.stderr)
        // A request made with another key (as if for another master's apiserver.key) under the right name.
        let csrDir = try signOnTheCAHost(["\(pkiDir)/apiserver.csr"], root: root, caHost: caHost)
        let otherKey = try OpenSSLToolkit().generateKey(.ecdsaP256)
        let tree = PKITree.modern(ModernPKIInputs(config, node: config.master(named: "master01")!))
        let forged = try OpenSSLToolkit().makeCSR(
            for: try XCTUnwrap(tree.certificate(named: "apiserver")), keyPEM: otherKey)
        try forged.write(to: csrDir.appendingPathComponent("apiserver.csr"))
        let resigned = try agent([
            "certs", "sign", "--node", "master01", "--csr-dir", csrDir.path, "--ca-dir", caHost.path,
        ])
        XCTAssertEqual(resigned.status, 0, resigned.stderr)
        let before = try Support.snapshot(root)
        let imported = try agent(["certs", "import", "--node", "master01", "--dir", csrDir.path, "--root", root.path])
        XCTAssertEqual(imported.status, 1, imported.stdout + imported.stderr)
        XCTAssertTrue(
            imported.stderr.contains(
                "the signed certificate for \(pkiDir)/apiserver.crt is not installed: it is not for the key of \(pkiDir)/apiserver.key"
            ), imported.stderr)
        XCTAssertEqual(changed(before, try Support.snapshot(root)), [], "nothing written, the request kept")
    }

    func testAnOlderSignedCertificateDoesNotReplaceANewerOne() throws {
        let (root, caHost) = try offlineTree(daysAgo: 340)
        let requested = try agent(["certs", "renew", "--due", "--node", "master01", "--root", root.path])
        XCTAssertEqual(requested.status, ExitStatus.certificatePending.rawValue, requested.stdout + requested.stderr)
        let csrDir = try signOnTheCAHost(["\(pkiDir)/apiserver.csr"], root: root, caHost: caHost)
        let signedFile = csrDir.appendingPathComponent("apiserver.crt")
        let first = try Data(contentsOf: signedFile)
        let importSigned = ["certs", "import", "--node", "master01", "--dir", csrDir.path, "--root", root.path]
        let firstImport = try agent(importSigned)
        XCTAssertEqual(firstImport.status, 0, firstImport.stdout + firstImport.stderr)

        // A second round: the request signed again on the CA host. X.509 times have whole seconds, so the second
        // signing is a second later to expire later.
        Thread.sleep(forTimeInterval: 1.1)
        let resigned = try agent([
            "certs", "sign", "--node", "master01", "--csr-dir", csrDir.path, "--ca-dir", caHost.path,
        ])
        XCTAssertEqual(resigned.status, 0, resigned.stdout + resigned.stderr)
        let second = try Data(contentsOf: signedFile)
        let secondImport = try agent(importSigned)
        XCTAssertEqual(secondImport.status, 0, secondImport.stdout + secondImport.stderr)
        XCTAssertTrue(
            secondImport.stdout.contains("imported apiserver.crt into \(pkiDir)/apiserver.crt"), secondImport.stdout)
        let installed = Support.host(root, "\(pkiDir)/apiserver.crt")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: installed)), second)

        // The first certificate, left over in the directory: same key, same CA, the config's names, unexpired.
        try first.write(to: signedFile)
        let firstNotAfter = try notAfter(signedFile.path)
        let installedNotAfter = try notAfter(installed)
        XCTAssertLessThan(firstNotAfter, installedNotAfter)
        let before = try Support.snapshot(root)
        let old = try agent(importSigned)
        XCTAssertEqual(old.status, 1, old.stdout + old.stderr)
        XCTAssertTrue(
            old.stderr.contains(
                "the signed certificate for \(pkiDir)/apiserver.crt is not installed: it expires on \(firstNotAfter), not later than the installed certificate (\(installedNotAfter))"
            ), old.stderr)
        XCTAssertTrue(old.stderr.contains("sign the current request (\(pkiDir)/apiserver.csr"), old.stderr)
        XCTAssertTrue(identical(before, try Support.snapshot(root)), "nothing written")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: installed)), second)
    }

    func testBootstrapOnAnOfflineCAAfterANameChangeWritesTheRequestAndGoesOn() throws {
        let (root, _) = try offlineTree(daysAgo: 10, edit: withExtraSANs("api.example.org"))
        let before = try Support.snapshot(root)
        let bootstrap = ["bootstrap", "--steps", "certs", "--node", "master01", "--root", root.path]
        let preview = try agent(bootstrap + ["--dry-run"])
        XCTAssertEqual(preview.status, 0, preview.stdout + preview.stderr)
        XCTAssertTrue(preview.stdout.contains("\(pkiDir)/apiserver.csr"), preview.stdout)
        XCTAssertTrue(preview.stdout.contains("request for the CA host (names changed)"), preview.stdout)
        XCTAssertFalse(preview.stdout.contains("reissued with the config's names"), preview.stdout)
        XCTAssertEqual(changed(before, try Support.snapshot(root)), [], "a dry run writes nothing")
        let result = try agent(bootstrap)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let awaiting =
            "\(pkiDir)/apiserver.crt does not carry the config's names and the CA key is not on this master: copy \(pkiDir)/apiserver.csr into master01-csr/ on the CA host and run there `master-agent certs sign --config cluster.yaml --node master01 --csr-dir master01-csr --ca-dir /etc/kubernetes/pki`, then copy master01-csr/ back and run here `master-agent certs import --node master01 --dir master01-csr`"
        XCTAssertTrue(result.stdout.contains(awaiting), result.stdout)
        XCTAssertTrue(result.stderr.contains("reissue through the CA host"), result.stderr)
        XCTAssertTrue(
            result.stdout.contains("names changed: nothing reissued locally under --root \(root.path)"), result.stdout)
        let after = try Support.snapshot(root)
        XCTAssertEqual(changed(before, after), ["\(pkiDir)/apiserver.csr"], "the old certificate stays in place")

        // A rerun keeps the request and reports no file changed.
        let again = try agent(bootstrap + ["--output", "json"])
        XCTAssertEqual(again.status, 0, again.stdout + again.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(json?["filesChanged"] as? Int, 0, again.stdout)
        XCTAssertEqual(changed(after, try Support.snapshot(root)), [])
    }

    func testBootstrapWithTheCAKeyOnTheCommandLineReissuesANamesChangeWithIt() throws {
        let (root, caHost) = try offlineTree(daysAgo: 10, edit: withExtraSANs("api.example.org"))
        let before = try Support.snapshot(root)
        let bootstrap = [
            "bootstrap", "--steps", "certs", "--node", "master01", "--root", root.path, "--ca-cert",
            caHost.path + "/ca.crt", "--ca-key", caHost.path + "/ca.key",
        ]
        let preview = try agent(bootstrap + ["--dry-run"])
        XCTAssertTrue(preview.stdout.contains("reissued with the config's names"), preview.stdout)
        let result = try agent(bootstrap)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("names changed: reissued \(pkiDir)/apiserver.crt locally"), result.stdout)
        XCTAssertEqual(
            changed(before, try Support.snapshot(root)), ["\(pkiDir)/apiserver.crt"],
            "signed with the command line's key, which is not stored; no request")
        let path = Support.host(root, "\(pkiDir)/apiserver.crt")
        try Support.assertVerifies(path, ca: caHost.path + "/ca.crt", purpose: "sslserver")
        XCTAssertTrue(try Support.facts(path).subjectAltNames.contains(.dns("api.example.org")))
    }

    func testAnOfflineCAsRenewalOnARunningMasterWritesRequestsWithoutTheLease() throws {
        // The API server "runs" at a port nothing listens on: asking it for the Lease would fail as API-down.
        let (fd, port) = try LoopbackListener.open(backlog: 1)
        close(fd)
        let (root, _) = try offlineTree(daysAgo: 340) {
            $0.replacingOccurrences(
                of: "apiServer:\n", with: "apiServer:\n  localURL: https://127.0.0.1:\(port)\n")
        }
        // Neither CA key is here: nothing can be signed on this master, so nothing is restarted either.
        try FileManager.default.removeItem(atPath: Support.host(root, "\(pkiDir)/front-proxy-ca.key"))
        let result = try agent([
            "certs", "renew", "--due", "--coordinate", "--node", "master01", "--root", root.path, "--output", "json",
        ])
        XCTAssertEqual(result.status, ExitStatus.certificatePending.rawValue, result.stdout + result.stderr)
        let output = try JSONDecoder().decode(Output.self, from: Data(result.stdout.utf8))
        XCTAssertFalse(output.coordinated)
        XCTAssertTrue(
            output.note.hasPrefix("requests for the CA host in place: no Lease taken, nothing restarted"), output.note)
        XCTAssertFalse(result.stderr.contains("cannot be reached"), result.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: Support.host(root, "\(pkiDir)/apiserver.csr")))
    }

    func testABootstrapBeforeItsManifestsReissuesANamesChangeWhileTheAPIIsDown() throws {
        let (fd, port) = try LoopbackListener.open(backlog: 1)
        close(fd)
        try write(config: {
            $0.replacingOccurrences(of: "apiServer:\n", with: "apiServer:\n  localURL: https://127.0.0.1:\(port)\n")
        })
        let root = try TestSupport.makeTemporaryDirectory(self, name: "bootstrap-no-manifests")
        let bootstrap = ["bootstrap", "--steps", "certs", "--coordinate", "--node", "master01", "--root", root.path]
        XCTAssertEqual(try agent(bootstrap).status, 0)
        let before = try Support.snapshot(root)
        try write(config: {
            self.withExtraSANs("api.example.org")(
                $0.replacingOccurrences(
                    of: "apiServer:\n", with: "apiServer:\n  localURL: https://127.0.0.1:\(port)\n"))
        })
        let result = try agent(bootstrap)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("is down"), result.stdout)
        XCTAssertTrue(result.stdout.contains("no static pod restarted"), result.stdout)
        XCTAssertEqual(changed(before, try Support.snapshot(root)), ["\(pkiDir)/apiserver.crt"])
        XCTAssertTrue(
            try Support.facts(Support.host(root, "\(pkiDir)/apiserver.crt")).subjectAltNames.contains(
                .dns("api.example.org")))
    }

    func testDueLeavesOnAnOfflineCAAreRequestedThenSignedAndImported() throws {
        let (root, caHost) = try offlineTree(daysAgo: 340)
        let before = try Support.snapshot(root)
        let result = try agent([
            "certs", "renew", "--due", "--node", "master01", "--root", root.path, "--output", "json",
        ])
        XCTAssertEqual(result.status, ExitStatus.certificatePending.rawValue, result.stdout + result.stderr)
        let output = try JSONDecoder().decode(Output.self, from: Data(result.stdout.utf8))
        // front-proxy-ca.key is on every master: its client certificate is renewed here; the rest wait.
        let caSigned = leafFiles.filter { $0 != "\(pkiDir)/front-proxy-client.crt" }
        XCTAssertEqual(output.rows.filter { $0.outcome == .renewed }.map(\.file), ["\(pkiDir)/front-proxy-client.crt"])
        let waiting = output.rows.filter { $0.outcome == .needsCAHost }
        XCTAssertEqual(Set(waiting.map(\.file)), Set(caSigned))
        let requests = waiting.compactMap(\.request)
        XCTAssertEqual(
            Set(requests),
            Set(caSigned.map { $0.hasSuffix(".crt") ? String($0.dropLast(4)) + ".csr" : $0 + ".csr" }))
        XCTAssertTrue(result.stderr.contains("could not renew 8 certificate(s) on master01"), result.stderr)
        for request in requests {
            XCTAssertTrue(result.stderr.contains("       \(request)\n"), request)
        }
        let requested = try Support.snapshot(root)
        XCTAssertEqual(changed(before, requested), Set(requests + ["\(pkiDir)/front-proxy-client.crt"]))
        let toolkit = OpenSSLToolkit()
        for request in requests {
            let leaf =
                request.hasSuffix(".conf.csr") ? String(request.dropLast(4)) : String(request.dropLast(4)) + ".crt"
            let asked = try toolkit.inspectRequest(try XCTUnwrap(requested[request]?.data))
            XCTAssertEqual(asked.publicKeyDER, try toolkit.publicKey(ofKey: try material(root, leaf).key), request)
        }
        // --new-key cannot be requested: it would leave new keys beside the old certificates.
        let newKey = try agent(["certs", "renew", "--due", "--new-key", "--node", "master01", "--root", root.path])
        XCTAssertEqual(newKey.status, 1, newKey.stdout + newKey.stderr)
        XCTAssertTrue(newKey.stderr.contains("--new-key needs it"), newKey.stderr)

        let oldMaterial = try Dictionary(uniqueKeysWithValues: caSigned.map { ($0, try material(root, $0)) })
        let rerequested = try Support.snapshot(root)
        let csrDir = try signOnTheCAHost(requests, root: root, caHost: caHost)
        let imported = try agent(["certs", "import", "--node", "master01", "--dir", csrDir.path, "--root", root.path])
        XCTAssertEqual(imported.status, 0, imported.stdout + imported.stderr)
        let after = try Support.snapshot(root)
        XCTAssertEqual(changed(rerequested, after), Set(caSigned + requests))
        for request in requests { XCTAssertNil(after[request], "\(request) removed") }
        let caFile = Support.host(root, "\(pkiDir)/ca.crt")
        for file in caSigned {
            let (certificate, key) = try material(root, file)
            XCTAssertEqual(key, oldMaterial[file]?.key, "\(file) keeps its key")
            XCTAssertNotEqual(certificate, oldMaterial[file]?.certificate, file)
            XCTAssertEqual(after[file]?.mode, before[file]?.mode, file)
            let scratch = try TestSupport.makeTemporaryDirectory(self, name: "leaf").path + "/leaf.crt"
            try certificate.write(to: URL(fileURLWithPath: scratch))
            try Support.assertVerifies(
                scratch, ca: caFile, purpose: file.hasSuffix("apiserver.crt") ? "sslserver" : "sslclient")
            XCTAssertEqual(
                RenewalPolicy.daysLeft(
                    notAfter: try XCTUnwrap(toolkit.inspect(certificatesPEM: certificate, source: file).first).notAfter,
                    now: Date()), 364, file)
            guard file.hasSuffix(".conf") else { continue }
            // The kubeconfig keeps everything but its user's client certificate.
            var old = try Kubeconfig.decode(String(decoding: before[file]!.data, as: UTF8.self), file: file)
            let new = try Kubeconfig.decode(String(decoding: after[file]!.data, as: UTF8.self), file: file)
            for index in old.users.indices {
                old.users[index].user.clientCertificateData = new.users[index].user.clientCertificateData
            }
            XCTAssertEqual(try old.yaml(), try new.yaml(), file)
        }
        let check = try agent(["certs", "check", "--node", "master01", "--root", root.path])
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
        let final = try agent(["certs", "renew", "--due", "--node", "master01", "--root", root.path])
        XCTAssertEqual(final.status, 0, final.stdout + final.stderr)
    }

    func testCoordinateIsAnOptionOfDue() throws {
        let root = try agedTree(daysAgo: 340)
        let before = try Support.snapshot(root)
        let result = try agent(["certs", "renew", "--coordinate", "--root", root.path, "--node", "master01"])
        XCTAssertEqual(result.status, ExitStatus.usage.rawValue, result.stdout + result.stderr)
        XCTAssertTrue(result.stderr.contains("--coordinate is an option of certs renew --due"), result.stderr)
        XCTAssertEqual(try Support.snapshot(root).mapValues(\.data), before.mapValues(\.data), "nothing written")
    }

    func testRenewBeforeIsValidated() throws {
        let base = try TestSupport.fixtureText("modern-cluster.yaml")
        let loaded = try ConfigLoader.load(yaml: base, file: "c.yaml")
        XCTAssertEqual(loaded.pki.renewBefore.seconds, 30 * 86400, "default 30d")
        for (value, seconds) in [("12h", 12.0 * 3600), ("7d", 7.0 * 86400)] {
            let text = base.replacingOccurrences(
                of: "  validityDays: 365", with: "  validityDays: 365\n  renewBefore: \(value)")
            XCTAssertEqual(try ConfigLoader.load(yaml: text, file: "c.yaml").pki.renewBefore.seconds, seconds, value)
        }
        for bad in ["0d", "-1d", "soon", "36501d", "1x"] {
            let text = base.replacingOccurrences(
                of: "  validityDays: 365", with: "  validityDays: 365\n  renewBefore: \(bad)")
            XCTAssertThrowsError(try ConfigLoader.load(yaml: text, file: "c.yaml"), bad) {
                XCTAssertTrue("\($0)".contains("pki.renewBefore"), "\($0)")
            }
        }
    }
}
