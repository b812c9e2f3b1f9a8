import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime

/// The cluster-secrets step end to end: the built agent, several masters (each its own `--root`), a real etcd.
final class ClusterSecretsStepTests: XCTestCase {
    private func openssl(_ arguments: [String]) throws -> TestSupport.ProcessResult {
        try TestSupport.run(URL(fileURLWithPath: "/usr/bin/openssl"), arguments)
    }

    private func cluster() throws -> SecretsTestCluster {
        let server = try EtcdTestServer(self)
        try server.start()
        return try SecretsTestCluster(self, server: server)
    }

    func testFiveMastersStartedAtOnceEndWithOneRecordAndTheSameFiles() throws {
        let cluster = try cluster()
        let masters = try (1...5).map { try cluster.master($0 % 2 == 1 ? "master01" : "master02") }
        let results = try cluster.runConcurrently(
            masters.map { ["bootstrap", "--steps", "cluster-secrets"] + $0.arguments })
        for (index, result) in results.enumerated() {
            XCTAssertEqual(result.status, 0, "agent \(index): \(result.stdout)\(result.stderr)")
        }
        let stored = try XCTUnwrap(try cluster.stored())
        XCTAssertEqual(stored.version, 1, "the record was written exactly once")
        XCTAssertEqual(stored.createRevision, stored.modRevision)
        let creators = results.filter { $0.stdout.contains("created \(SecretsTestCluster.recordKey)") }
        XCTAssertEqual(creators.count, 1, results.map(\.stdout).joined(separator: "\n---\n"))

        let first = cluster.sharedFiles(of: masters[0])
        XCTAssertEqual(first.count, 3, "ca.crt, apiserver.key, apiserver.crt")
        for master in masters.dropFirst() {
            XCTAssertEqual(cluster.sharedFiles(of: master), first, "byte-identical on \(master.root.path)")
        }
        let pki = masters[3].pkiDir.path
        let verify = try openssl(["verify", "-CAfile", pki + "/ca.crt", pki + "/apiserver.crt"])
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
        XCTAssertEqual(try openssl(["x509", "-in", pki + "/apiserver.crt", "-noout", "-subject"]).status, 0)
        let keyMode = try FileManager.default.attributesOfItem(atPath: pki + "/apiserver.key")[.posixPermissions]
        XCTAssertEqual((keyMode as? NSNumber)?.intValue, 0o600)
        let certMode = try FileManager.default.attributesOfItem(atPath: pki + "/apiserver.crt")[.posixPermissions]
        XCTAssertEqual((certMode as? NSNumber)?.intValue, 0o644)

        // The value in etcd holds none of the plaintext.
        let text = String(decoding: stored.value, as: UTF8.self)
        XCTAssertFalse(text.contains("-----BEGIN"), text)
        for (name, data) in first {
            let body = String(decoding: data, as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("-----") }
            for line in body where line.count > 20 {
                XCTAssertFalse(text.contains(line), "\(name) line \(line) is in etcd in the clear")
            }
            XCTAssertFalse(text.contains(data.base64EncodedString()), name)
        }

        // The certs step accepts what was shared.
        let certs = try cluster.agent(masters[4], ["bootstrap", "--steps", "certs"])
        XCTAssertEqual(certs.status, 0, certs.stdout + certs.stderr)
    }

    func testRerunIsUnchangedAndStatusReportsTheRecord() throws {
        let cluster = try cluster()
        let master = try cluster.master()
        XCTAssertEqual(try cluster.bootstrap(master).status, 0)
        let rerun = try cluster.bootstrap(master)
        XCTAssertEqual(rerun.status, 0, rerun.stdout + rerun.stderr)
        XCTAssertTrue(rerun.stdout.contains("cluster-secrets unchanged"), rerun.stdout)

        let status = try cluster.agent(master, ["secrets", "status"])
        XCTAssertEqual(status.status, 0, status.stdout + status.stderr)
        XCTAssertTrue(status.stdout.contains("created by master01"), status.stdout)
        XCTAssertTrue(status.stdout.contains(SecretsTestCluster.recordKey), status.stdout)
        let fingerprint = try openssl(["x509", "-in", master.file("ca.crt").path, "-noout", "-fingerprint", "-sha256"])
        let expected = try XCTUnwrap(fingerprint.stdout.split(separator: "=").last).trimmingCharacters(
            in: .whitespacesAndNewlines)
        XCTAssertTrue(status.stdout.contains(expected), "\(expected) in \(status.stdout)")

        let json = try cluster.agent(master, ["secrets", "status", "--output", "json"])
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(document["createdBy"] as? String, "master01")
        XCTAssertEqual(document["caFingerprint"] as? String, expected)
        XCTAssertNotNil(document["serviceAccountKeyFingerprint"] as? String)
        XCTAssertEqual(
            (document["files"] as? [[String: Any]])?.map { $0["state"] as? String }, ["matches", "matches", "matches"])
        XCTAssertFalse(json.stdout.contains(cluster.token.dropFirst(5).prefix(20)), "the token is never printed")
        XCTAssertFalse(status.stdout.contains(cluster.token.dropFirst(5).prefix(20)))

        // A changed local file shows in status.
        try Data("-----BEGIN CERTIFICATE-----\nother\n-----END CERTIFICATE-----\n".utf8).write(
            to: master.file("ca.crt"))
        let drifted = try cluster.agent(master, ["secrets", "status"])
        XCTAssertEqual(drifted.status, 1)
        XCTAssertTrue(drifted.stdout.contains("differs"), drifted.stdout)
    }

    func testAWrongModeIsRepairedAndLeftoversOfAKilledRunAreRemoved() throws {
        let cluster = try cluster()
        let master = try cluster.master()
        XCTAssertEqual(try cluster.bootstrap(master).status, 0)
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o644], ofItemAtPath: master.file("apiserver.key").path)
        let leftover = master.pkiDir.appendingPathComponent(".master-agent.apiserver.key.123.456.tmp")
        try Data("half".utf8).write(to: leftover)
        let foreign = master.pkiDir.appendingPathComponent(".master-agent.other.pem.1.2.tmp")
        try Data("not ours".utf8).write(to: foreign)
        let rerun = try cluster.bootstrap(master)
        XCTAssertEqual(rerun.status, 0, rerun.stdout + rerun.stderr)
        XCTAssertTrue(
            rerun.stdout.contains("updated   /etc/kubernetes/ssl/apiserver.key (mode 0644 -> 0600)"), rerun.stdout)
        XCTAssertTrue(
            rerun.stdout.contains("removed   /etc/kubernetes/ssl/.master-agent.apiserver.key.123.456.tmp"), rerun.stdout
        )
        let mode = try FileManager.default.attributesOfItem(atPath: master.file("apiserver.key").path)[
            .posixPermissions]
        XCTAssertEqual((mode as? NSNumber)?.intValue, 0o600)
        XCTAssertFalse(FileManager.default.fileExists(atPath: leftover.path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: foreign.path), "only the step's own temp files go")
    }

    func testStatusUnderStoreNoneSaysSoAndPasses() throws {
        let root = try TestSupport.makeTemporaryDirectory(self, name: "secrets-status-none")
        let config = root.appendingPathComponent("cluster.yaml")
        try TestSupport.fixtureText("seed-cluster.yaml").write(to: config, atomically: true, encoding: .utf8)
        let result = try TestSupport.agent([
            "secrets", "status", "--config", config.path, "--node", "master01", "--root", root.path,
        ])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("shared files are copied by hand"), result.stdout)
    }

    func testWrongTokenFailsAndWritesNothing() throws {
        let cluster = try cluster()
        XCTAssertEqual(try cluster.bootstrap(try cluster.master()).status, 0)
        let other = try cluster.master("master02", token: try JoinToken(secret: SecureRandom.bytes(32)).text)
        let result = try cluster.bootstrap(other)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stdout.contains("join token is not the one master01 made the record with"), result.stdout)
        XCTAssertEqual(cluster.sharedFiles(of: other), [:], "nothing written")
    }

    func testMistypedTokenIsToldApartFromAWrongOne() throws {
        let cluster = try cluster()
        var characters = Array(cluster.token)
        characters[30] = characters[30] == "a" ? "b" : "a"
        let master = try cluster.master(token: String(characters))
        let result = try cluster.bootstrap(master)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stdout.contains("checksum does not match"), result.stdout)
        XCTAssertNil(try cluster.stored(), "nothing written to etcd")
    }

    func testTokenFileOthersCanReadIsRefused() throws {
        let cluster = try cluster()
        let master = try cluster.master()
        try cluster.writeToken(cluster.token, root: master.root, mode: 0o644)
        let result = try cluster.bootstrap(master)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stdout.contains("chmod 600"), result.stdout)
        XCTAssertNil(try cluster.stored())
    }

    func testRecordWithOneFlippedByteIsRefused() throws {
        let cluster = try cluster()
        XCTAssertEqual(try cluster.bootstrap(try cluster.master()).status, 0)
        var record = try SecretsRecord.decode(
            try XCTUnwrap(try cluster.stored()).value, key: SecretsTestCluster.recordKey)
        record.ciphertext[7] ^= 0x20
        try cluster.put(record.encoded())
        let other = try cluster.master("master02")
        let result = try cluster.bootstrap(other)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stdout.contains("authentication tag does not verify"), result.stdout)
        XCTAssertEqual(cluster.sharedFiles(of: other), [:])
    }

    func testRecordOfAnUnknownVersionIsRefused() throws {
        let cluster = try cluster()
        XCTAssertEqual(try cluster.bootstrap(try cluster.master()).status, 0)
        var record = try SecretsRecord.decode(
            try XCTUnwrap(try cluster.stored()).value, key: SecretsTestCluster.recordKey)
        record.version = 7
        try cluster.put(record.encoded())
        let other = try cluster.master("master02")
        let result = try cluster.bootstrap(other)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stdout.contains("format version 7"), result.stdout)
        XCTAssertEqual(cluster.sharedFiles(of: other), [:])
    }

    func testLocalFilesThatDifferStopTheStepAndNameBothFingerprints() throws {
        let cluster = try cluster()
        let first = try cluster.master()
        XCTAssertEqual(try cluster.bootstrap(first).status, 0)
        // master02 made its own key before secrets were shared (the document's mistake).
        let second = try cluster.master("master02", withCA: false)
        try FileManager.default.createDirectory(at: second.pkiDir, withIntermediateDirectories: true)
        let ownKey = try openssl([
            "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
            second.file("apiserver.key").path,
        ])
        XCTAssertEqual(ownKey.status, 0, ownKey.stderr)
        let before = try Data(contentsOf: second.file("apiserver.key"))
        let result = try cluster.bootstrap(second)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(
            result.stdout.contains(
                second.file("apiserver.key").path.replacingOccurrences(of: second.root.path, with: "")), result.stdout)
        XCTAssertTrue(result.stdout.contains("this master sha256:"), result.stdout)
        XCTAssertTrue(result.stdout.contains("record sha256:"), result.stdout)
        XCTAssertEqual(try Data(contentsOf: second.file("apiserver.key")), before, "the key is never overwritten")
        XCTAssertFalse(FileManager.default.fileExists(atPath: second.file("ca.crt").path), "nothing written")
    }

    func testEtcdDownAtStartAndUpThreeSecondsLaterIsWaitedFor() throws {
        let server = try EtcdTestServer(self)
        let cluster = try SecretsTestCluster(self, server: server)
        let master = try cluster.master()
        DispatchQueue.global().asyncAfter(deadline: .now() + 3) { try? server.start(waitUntilReady: false) }
        let started = Date()
        let result = try cluster.bootstrap(master)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertGreaterThan(Date().timeIntervalSince(started), 3)
        XCTAssertTrue(result.stderr.contains("etcd unavailable, retrying"), result.stderr)
        XCTAssertEqual(cluster.sharedFiles(of: master).count, 3)
    }

    func testMasterWithoutTheCAWaitsForTheRecord() throws {
        let cluster = try cluster()
        let follower = try cluster.master("master02", withCA: false)
        let caHost = try cluster.master("master01")
        DispatchQueue.global().asyncAfter(deadline: .now() + 2) { _ = try? cluster.bootstrap(caHost) }
        let result = try cluster.bootstrap(follower)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("by master01"), result.stdout)
        XCTAssertEqual(cluster.sharedFiles(of: follower), cluster.sharedFiles(of: caHost))

        let alone = try cluster.master("master02", withCA: false, waitTimeout: "1s")
        XCTAssertEqual(try cluster.bootstrap(alone).status, 0, "the record exists now")
    }

    func testNoRecordAndNoCAGivesUpAtTheDeadline() throws {
        let cluster = try cluster()
        let master = try cluster.master("master02", withCA: false, waitTimeout: "2s")
        let result = try cluster.bootstrap(master)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stdout.contains("still empty in etcd after 2s"), result.stdout)
    }

    func testDryRunReadsEtcdButNeverWrites() throws {
        let cluster = try cluster()
        let master = try cluster.master()
        let dry = try cluster.bootstrap(master, ["--dry-run"])
        XCTAssertEqual(dry.status, 0, dry.stdout + dry.stderr)
        XCTAssertTrue(dry.stdout.contains("would create it"), dry.stdout)
        XCTAssertNil(try cluster.stored(), "nothing written to etcd")
        XCTAssertEqual(cluster.sharedFiles(of: master), [:])

        XCTAssertEqual(try cluster.bootstrap(try cluster.master("master02")).status, 0)
        let stored = try cluster.stored()
        let dryFollower = try cluster.bootstrap(master, ["--dry-run"])
        XCTAssertEqual(dryFollower.status, 0, dryFollower.stdout)
        XCTAssertTrue(dryFollower.stdout.contains("created"), dryFollower.stdout)
        XCTAssertEqual(cluster.sharedFiles(of: master), [:], "a dry run writes no file")
        XCTAssertEqual(try cluster.stored(), stored)
    }

    func testStoreNoneSkipsTheStep() throws {
        let root = try TestSupport.makeTemporaryDirectory(self, name: "secrets-none")
        let config = root.appendingPathComponent("cluster.yaml")
        try TestSupport.fixtureText("seed-cluster.yaml").write(to: config, atomically: true, encoding: .utf8)
        let result = try TestSupport.agent([
            "bootstrap", "--steps", "cluster-secrets", "--config", config.path, "--node", "master01", "--root",
            root.path,
        ])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("cluster-secrets skipped"), result.stdout)
        XCTAssertTrue(result.stdout.contains("secrets.store is none"), result.stdout)
    }
}
