import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime

/// The cluster-secrets step under the modern profile end to end: the built agent, masters each with its own
/// `--root`, a real etcd; then the modern certs step on what was shared.
final class ModernClusterSecretsTests: XCTestCase {
    private typealias Master = SecretsTestCluster.Master
    private static let encryptionConfig = "/etc/kubernetes/encryption-config.yaml"
    /// Every shared file, node paths (the CA keys only when the record holds them).
    private static let sharedFiles =
        ["ca.crt", "ca.key", "front-proxy-ca.crt", "front-proxy-ca.key", "sa.key", "sa.pub"].map {
            "/etc/kubernetes/pki/\($0)"
        } + [encryptionConfig]
    private static let kubeconfigs = [
        "admin.conf", "super-admin.conf", "controller-manager.conf", "scheduler.conf", "kubelet.conf", "proxy.conf",
    ]

    private func openssl(_ arguments: [String]) throws -> TestSupport.ProcessResult {
        try TestSupport.run(URL(fileURLWithPath: "/usr/bin/openssl"), arguments)
    }

    private func cluster() throws -> SecretsTestCluster {
        let server = try EtcdTestServer(self)
        try server.start()
        return try SecretsTestCluster(self, server: server)
    }

    private func files(_ paths: [String], of master: Master) -> [String: Data] {
        var files: [String: Data] = [:]
        for path in paths { files[path] = FileManager.default.contents(atPath: master.host(path).path) }
        return files
    }

    /// The record's plaintext, opened with the cluster's token.
    private func openRecord(_ cluster: SecretsTestCluster) throws -> SharedSecrets {
        let stored = try XCTUnwrap(try cluster.stored())
        let record = try SecretsRecord.decode(stored.value, key: SecretsTestCluster.recordKey)
        return try SecretsSealer(cipher: OpenSSLSecretsCipher()).open(
            record, token: try JoinToken.parse(cluster.token, source: "test"), clusterName: "kubernetes",
            etcdKey: SecretsTestCluster.recordKey)
    }

    private func assertVerifies(_ certificate: URL, ca: URL, file: StaticString = #filePath, line: UInt = #line)
        throws
    {
        let verify = try openssl(["verify", "-CAfile", ca.path, certificate.path])
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr, file: file, line: line)
        XCTAssertEqual(verify.stdout, "\(certificate.path): OK\n", file: file, line: line)
        XCTAssertEqual(
            try openssl(["x509", "-in", certificate.path, "-noout", "-subject"]).status, 0, file: file, line: line)
    }

    func testThreeMastersStartedAtOnceShareOneCAAndIssueTheirOwnCertificates() throws {
        let cluster = try cluster()
        let masters = try ["master01", "master02", "master03"].map { try cluster.modernMaster($0) }
        let results = try cluster.runConcurrently(
            masters.map { ["bootstrap", "--steps", "cluster-secrets,certs"] + $0.arguments })
        for (index, result) in results.enumerated() {
            XCTAssertEqual(result.status, 0, "agent \(index): \(result.stdout)\(result.stderr)")
            XCTAssertFalse(result.stdout.contains("copy them from"), result.stdout)
        }
        let stored = try XCTUnwrap(try cluster.stored())
        XCTAssertEqual(stored.version, 1, "the record was written exactly once")
        let creators = results.filter { $0.stdout.contains("created \(SecretsTestCluster.recordKey)") }
        XCTAssertEqual(creators.count, 1, results.map(\.stdout).joined(separator: "\n---\n"))

        // One set of shared files, byte for byte, on every master.
        let first = files(Self.sharedFiles, of: masters[0])
        XCTAssertEqual(Set(first.keys), Set(Self.sharedFiles), "every shared file is on master01")
        for master in masters.dropFirst() {
            XCTAssertEqual(files(Self.sharedFiles, of: master), first, "byte-identical on \(master.node)")
        }
        let secrets = try openRecord(cluster)
        XCTAssertEqual(
            Set(secrets.items.keys),
            ["ca.crt", "ca.key", "front-proxy-ca.crt", "front-proxy-ca.key", "sa.key", "sa.pub", "encryption-key-key1"])
        XCTAssertEqual(secrets.items["encryption-key-key1"]?.count, 32)
        let configText = String(decoding: first[Self.encryptionConfig]!, as: UTF8.self)
        XCTAssertTrue(configText.contains(secrets.items["encryption-key-key1"]!.base64EncodedString()), configText)

        // Each master's own apiserver.crt and kubeconfigs chain to the one shared CA.
        let sharedCA = masters[0].file("ca.crt")
        var serverCertificates: Set<Data> = []
        for master in masters {
            try assertVerifies(master.file("apiserver.crt"), ca: sharedCA)
            try assertVerifies(master.file("front-proxy-client.crt"), ca: masters[0].file("front-proxy-ca.crt"))
            serverCertificates.insert(try Data(contentsOf: master.file("apiserver.crt")))
            for name in Self.kubeconfigs {
                let path = "/etc/kubernetes/\(name)"
                let text = try String(contentsOf: master.host(path), encoding: .utf8)
                let credentials = try Kubeconfig.decode(text, file: path).currentCredentials(file: path)
                XCTAssertEqual(credentials.caPEM, first["/etc/kubernetes/pki/ca.crt"], "\(master.node) \(name)")
                let client = master.root.appendingPathComponent("\(name).client.crt")
                try credentials.clientCertificatePEM.write(to: client)
                try assertVerifies(client, ca: sharedCA)
            }
        }
        XCTAssertEqual(serverCertificates.count, 3, "apiserver.crt is per node")

        // The value in etcd holds none of the plaintext.
        let text = String(decoding: stored.value, as: UTF8.self)
        XCTAssertFalse(text.contains("-----BEGIN"), text)
        XCTAssertFalse(text.contains(secrets.items["encryption-key-key1"]!.base64EncodedString()))
        for name in ["ca.key", "sa.key"] {
            let body = String(decoding: secrets.items[name]!, as: UTF8.self).split(separator: "\n")
            for line in body where !line.hasPrefix("-----") && line.count > 20 {
                XCTAssertFalse(text.contains(line), "\(name) is in etcd in the clear")
            }
        }

        // A rerun takes the record again and changes nothing.
        let rerun = try cluster.agent(masters[1], ["bootstrap", "--steps", "cluster-secrets,certs"])
        XCTAssertEqual(rerun.status, 0, rerun.stdout + rerun.stderr)
        for step in ["cluster-secrets", "certs"] {
            let line = rerun.stdout.split(separator: "\n").first { $0.hasPrefix("\(step) ") }
            XCTAssertEqual(line?.split(separator: " ").dropFirst().first, "unchanged", rerun.stdout)
        }
        XCTAssertEqual(try XCTUnwrap(try cluster.stored()).version, 1)
    }

    func testACAKeptOfflineNeverEntersTheRecordAndItsCertificatesAreRequested() throws {
        let cluster = try cluster()
        let masters = try ["master01", "master02"].map { try cluster.modernMaster($0, caCertOnly: true) }
        let results = try cluster.runConcurrently(
            masters.map { ["bootstrap", "--steps", "cluster-secrets,certs"] + $0.arguments })
        for (index, result) in results.enumerated() {
            // Exit status 3: the certificates the offline CA signs wait for the CA host.
            XCTAssertEqual(result.status, 3, "agent \(index): \(result.stdout)\(result.stderr)")
            XCTAssertTrue((result.stdout + result.stderr).contains("certs sign"), result.stdout + result.stderr)
            XCTAssertFalse((result.stdout + result.stderr).contains("copy it from"), result.stdout + result.stderr)
        }
        let secrets = try openRecord(cluster)
        XCTAssertNil(secrets.items["ca.key"], "the offline CA key is never shared")
        XCTAssertEqual(
            secrets.items["ca.crt"], try Data(contentsOf: cluster.caDirectory.appendingPathComponent("ca.crt")))
        XCTAssertNotNil(secrets.items["front-proxy-ca.key"], "the front-proxy CA was made here, its key is shared")
        let stored = try XCTUnwrap(try cluster.stored())
        let caKey = try String(contentsOf: cluster.caDirectory.appendingPathComponent("ca.key"), encoding: .utf8)
        for line in caKey.split(separator: "\n") where !line.hasPrefix("-----") {
            XCTAssertFalse(String(decoding: stored.value, as: UTF8.self).contains(line))
        }

        let shared = Self.sharedFiles.filter { !$0.hasSuffix("/ca.key") }
        let first = files(shared, of: masters[0])
        XCTAssertEqual(Set(first.keys), Set(shared))
        for master in masters {
            XCTAssertEqual(files(shared, of: master), first, "byte-identical on \(master.node)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: master.file("ca.key").path))
            XCTAssertTrue(FileManager.default.fileExists(atPath: master.file("apiserver.csr").path))
            // The front-proxy CA key is here: its client certificate was issued without the CA host.
            try assertVerifies(master.file("front-proxy-client.crt"), ca: master.file("front-proxy-ca.crt"))
        }
    }

    func testLocalFilesThatDifferFromTheRecordAreRefusedNamingTheFileAndBothFingerprints() throws {
        let cluster = try cluster()
        let first = try cluster.modernMaster("master01")
        let made = try cluster.bootstrap(first)
        XCTAssertEqual(made.status, 0, made.stdout + made.stderr)
        let recordKey = try openRecord(cluster).items["encryption-key-key1"]!

        // master02 made its own sa.key; master03 its own encryption config (each before the secrets were shared).
        let second = try cluster.modernMaster("master02")
        try FileManager.default.createDirectory(at: second.pkiDir, withIntermediateDirectories: true)
        let ownKey = try openssl([
            "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", second.file("sa.key").path,
        ])
        XCTAssertEqual(ownKey.status, 0, ownKey.stderr)
        let third = try cluster.modernMaster("master03")
        let ownSecret = Data(repeating: 7, count: 32)
        let ownConfig = try EncryptionConfiguration(
            secretboxKey: EncryptionKeySpec(name: "key1", provider: "secretbox", byteCount: 32, scope: .shared),
            key: ownSecret
        ).yaml()
        try FileManager.default.createDirectory(
            at: third.host(Self.encryptionConfig).deletingLastPathComponent(), withIntermediateDirectories: true)
        try ownConfig.write(to: third.host(Self.encryptionConfig), atomically: true, encoding: .utf8)

        let sha = { (data: Data) in PEMDocument.lowerHex(try OpenSSLSecretsCipher().sha256(data)) }
        let cases: [(Master, String, String, String)] = [
            (
                second, "/etc/kubernetes/pki/sa.key", try sha(Data(contentsOf: second.file("sa.key"))),
                try sha(try openRecord(cluster).items["sa.key"]!)
            ),
            (third, Self.encryptionConfig, try sha(ownSecret), try sha(recordKey)),
        ]
        for (master, path, local, record) in cases {
            let before = try Data(contentsOf: master.host(path))
            let result = try cluster.bootstrap(master)
            XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
            XCTAssertTrue(
                result.stdout.contains("\(path): this master sha256:\(local), record sha256:\(record)"), result.stdout)
            XCTAssertEqual(try Data(contentsOf: master.host(path)), before, "never overwritten")
            XCTAssertFalse(FileManager.default.fileExists(atPath: master.file("ca.crt").path), "nothing written")
        }
    }

    func testSecretsStatusShowsTheCAAndServiceAccountFingerprintsAndEachFile() throws {
        let cluster = try cluster()
        let master = try cluster.modernMaster("master02")
        XCTAssertEqual(try cluster.bootstrap(master).status, 0)

        let json = try cluster.agent(master, ["secrets", "status", "--output", "json"])
        XCTAssertEqual(json.status, 0, json.stdout + json.stderr)
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(document["createdBy"] as? String, "master02")
        let caFingerprint = try openssl([
            "x509", "-in", master.file("ca.crt").path, "-noout", "-fingerprint", "-sha256",
        ])
        XCTAssertEqual(
            document["caFingerprint"] as? String,
            caFingerprint.stdout.split(separator: "=").last?.trimmingCharacters(in: .whitespacesAndNewlines))
        let publicDER = master.root.appendingPathComponent("sa.der")
        XCTAssertEqual(
            try openssl([
                "pkey", "-pubin", "-in", master.file("sa.pub").path, "-outform", "DER", "-out", publicDER.path,
            ])
            .status, 0)
        let saFingerprint = PEMDocument.colonHex(try OpenSSLSecretsCipher().sha256(Data(contentsOf: publicDER)))
        XCTAssertEqual(document["serviceAccountKeyFingerprint"] as? String, saFingerprint)
        let states = (document["files"] as? [[String: Any]] ?? []).map {
            "\($0["item"] as? String ?? "?")=\($0["state"] as? String ?? "?")"
        }
        XCTAssertEqual(
            states,
            [
                "ca.crt=matches", "ca.key=matches", "front-proxy-ca.crt=matches", "front-proxy-ca.key=matches",
                "sa.key=matches", "sa.pub=matches", "encryption-key-key1=matches",
            ])

        // Another encryption key in the file shows as a difference of that file.
        let other = try EncryptionConfiguration(
            secretboxKey: EncryptionKeySpec(name: "key1", provider: "secretbox", byteCount: 32, scope: .shared),
            key: Data(repeating: 1, count: 32)
        ).yaml()
        try other.write(to: master.host(Self.encryptionConfig), atomically: true, encoding: .utf8)
        let drifted = try cluster.agent(master, ["secrets", "status"])
        XCTAssertEqual(drifted.status, 1, drifted.stdout + drifted.stderr)
        XCTAssertTrue(drifted.stdout.contains("\(Self.encryptionConfig) differs from the record"), drifted.stdout)
    }

    func testDryRunReadsEtcdButNeverWrites() throws {
        let cluster = try cluster()
        let master = try cluster.modernMaster("master03")
        let dry = try cluster.agent(master, ["bootstrap", "--steps", "cluster-secrets", "--dry-run"])
        XCTAssertEqual(dry.status, 0, dry.stdout + dry.stderr)
        XCTAssertTrue(dry.stdout.contains("would create it from its files, making ca.crt, ca.key"), dry.stdout)
        XCTAssertNil(try cluster.stored(), "nothing written to etcd")
        XCTAssertEqual(files(Self.sharedFiles, of: master), [:], "nothing written to disk")
    }

    func testBootstrapUntilCertsTakesTheSharedFilesThenIssuesThisMastersOwn() throws {
        let cluster = try cluster()
        let master = try cluster.modernMaster("master02")
        // What preflight reads besides etcd: an executable kubelet.
        try FileManager.default.createDirectory(at: master.host("/usr/bin"), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(
            atPath: master.host("/usr/bin/kubelet").path, contents: Data(), attributes: [.posixPermissions: 0o755])
        let result = try cluster.agent(master, ["bootstrap", "--until", "certs"])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("created \(SecretsTestCluster.recordKey)"), result.stdout)
        try assertVerifies(master.file("apiserver.crt"), ca: master.file("ca.crt"))
        XCTAssertEqual(Set(files(Self.sharedFiles, of: master).keys), Set(Self.sharedFiles))
    }
}
