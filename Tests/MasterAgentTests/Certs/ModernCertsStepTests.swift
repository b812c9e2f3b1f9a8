import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime

/// The modern certs step in-process on temporary roots: a three-master flow, modes, reruns, dry runs and refusals,
/// every certificate checked with the `openssl` command line.
final class ModernCertsStepTests: XCTestCase {
    private typealias Support = ModernCertsTestSupport
    private let pkiDir = "/etc/kubernetes/pki"
    private let kubeconfigs = [
        "admin.conf", "super-admin.conf", "controller-manager.conf", "scheduler.conf", "kubelet.conf", "proxy.conf",
    ]

    /// kubeadm's files and modes (files.txt) plus kube-proxy's kubeconfig and the encryption config.
    private var expectedModes: [String: Int] {
        var modes: [String: Int] = [:]
        for name in ["ca", "apiserver", "apiserver-kubelet-client", "front-proxy-ca", "front-proxy-client"] {
            modes["\(pkiDir)/\(name).crt"] = 0o644
            modes["\(pkiDir)/\(name).key"] = 0o600
        }
        modes["\(pkiDir)/sa.key"] = 0o600
        modes["\(pkiDir)/sa.pub"] = 0o600
        for name in kubeconfigs { modes["/etc/kubernetes/\(name)"] = 0o600 }
        modes["/etc/kubernetes/encryption-config.yaml"] = 0o600
        return modes
    }

    private func sharedFiles() -> [String] {
        ["ca.crt", "ca.key", "front-proxy-ca.crt", "front-proxy-ca.key", "sa.key", "sa.pub"].map { "\(pkiDir)/\($0)" }
            + ["/etc/kubernetes/encryption-config.yaml"]
    }

    private func copy(_ files: [String], from source: URL, to target: URL) throws {
        for file in files {
            let destination = Support.host(target, file)
            try FileManager.default.createDirectory(
                atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: Support.host(source, file), toPath: destination)
        }
    }

    /// Every certificate of a master's tree verifies against its CA with `openssl verify`, and the kubeconfigs
    /// decode back with their embedded certificate, key and CA.
    private func assertTreeVerifies(_ root: URL, node: String, config: ClusterConfig) throws {
        let pki = Support.host(root, pkiDir)
        for name in ["ca", "front-proxy-ca"] {
            try Support.assertVerifies("\(pki)/\(name).crt", ca: "\(pki)/\(name).crt", purpose: nil)
        }
        try Support.assertVerifies("\(pki)/apiserver.crt", ca: "\(pki)/ca.crt", purpose: "sslserver")
        try Support.assertVerifies("\(pki)/apiserver-kubelet-client.crt", ca: "\(pki)/ca.crt", purpose: "sslclient")
        try Support.assertVerifies(
            "\(pki)/front-proxy-client.crt", ca: "\(pki)/front-proxy-ca.crt", purpose: "sslclient")
        let wrongCA = try OpenSSLTestSupport.openssl([
            "verify", "-CAfile", "\(pki)/ca.crt", "\(pki)/front-proxy-client.crt",
        ])
        XCTAssertNotEqual(wrongCA.status, 0)

        let tree = PKITree.modern(ModernPKIInputs(config, node: config.master(named: node)!))
        let scratch = try TestSupport.makeTemporaryDirectory(self, name: "kubeconfig-\(node)")
        let caPEM = try Data(contentsOf: URL(fileURLWithPath: "\(pki)/ca.crt"))
        for spec in tree.kubeconfigs {
            let path = Support.host(root, "/etc/kubernetes/\(spec.fileName)")
            let kubeconfig = try Kubeconfig.decode(try String(contentsOfFile: path, encoding: .utf8), file: path)
            let credentials = try kubeconfig.currentCredentials(file: path)
            XCTAssertEqual(credentials.server, spec.server, spec.fileName)
            XCTAssertEqual(credentials.caPEM, caPEM, spec.fileName)
            XCTAssertEqual(kubeconfig.currentContext, "\(spec.userName)@kubernetes")
            let certificate = try OpenSSLTestSupport.write(
                credentials.clientCertificatePEM, "\(spec.fileName).crt", in: scratch)
            try Support.assertVerifies(certificate.path, ca: "\(pki)/ca.crt", purpose: "sslclient")
            let subject = try OpenSSLTestSupport.openssl(
                ["x509", "-in", certificate.path, "-noout", "-subject", "-nameopt", "RFC2253"])
            XCTAssertEqual(subject.stdout, "subject=\(spec.client.subject)\n", spec.fileName)
            // The embedded key is the certificate's.
            let key = try OpenSSLTestSupport.write(credentials.clientKeyPEM, "\(spec.fileName).key", in: scratch)
            let fromKey = try OpenSSLTestSupport.openssl(["pkey", "-in", key.path, "-pubout"])
            let fromCertificate = try OpenSSLTestSupport.openssl(["x509", "-in", certificate.path, "-noout", "-pubkey"])
            XCTAssertEqual(fromKey.stdout, fromCertificate.stdout, spec.fileName)
        }
    }

    func testThreeMastersShareTheClusterItemsAndEachMakesItsOwn() throws {
        let config = try Support.config()
        let master01 = try TestSupport.makeTemporaryDirectory(self, name: "master01")
        let outcome = try Support.run(config, node: "master01", root: master01)
        XCTAssertEqual(outcome.status, .changed)

        // kubeadm's files and modes, nothing else.
        let written = try Support.snapshot(master01)
        XCTAssertEqual(Set(written.keys), Set(expectedModes.keys))
        for (path, mode) in expectedModes { XCTAssertEqual(written[path]?.mode, mode, path) }
        try assertTreeVerifies(master01, node: "master01", config: config)

        // The encryption config: secretbox key1 of 32 random bytes, then identity.
        let encryption = try EncryptionConfiguration.decode(
            String(decoding: written["/etc/kubernetes/encryption-config.yaml"]!.data, as: UTF8.self), file: "e")
        let key = try XCTUnwrap(encryption.resources.first?.providers.first?.secretbox?.keys.first)
        XCTAssertEqual(key.name, "key1")
        XCTAssertEqual(Data(base64Encoded: key.secret)?.count, 32)
        XCTAssertEqual(encryption.resources.first?.providers.last?.identity, EncryptionConfiguration.Empty())
        XCTAssertEqual(encryption.resources.first?.resources, ["secrets"])

        // master02 with nothing copied: told exactly which files to copy, and nothing is written.
        let master02 = try TestSupport.makeTemporaryDirectory(self, name: "master02")
        XCTAssertThrowsError(try Support.run(config, node: "master02", root: master02)) { error in
            guard let missing = error as? ModernSharedFilesMissing else { return XCTFail("\(error)") }
            XCTAssertEqual(missing.files, sharedFiles())
            XCTAssertTrue(missing.description.contains("copy them from master01"), missing.description)
            XCTAssertTrue(missing.description.contains("or set secrets.store: etcd"), missing.description)
        }
        XCTAssertTrue(try Support.snapshot(master02).isEmpty)

        // Under secrets.store: etcd the files come from the record, never from another master.
        let fromStore = try Support.config { $0 + "\nsecrets:\n  store: etcd\n" }
        XCTAssertThrowsError(try Support.run(fromStore, node: "master02", root: master02)) { error in
            guard let missing = error as? ModernSharedFilesMissing else { return XCTFail("\(error)") }
            XCTAssertEqual(missing.files, sharedFiles())
            XCTAssertFalse(missing.description.contains("copy them from"), missing.description)
            XCTAssertTrue(missing.description.contains("cluster-secrets"), missing.description)
        }
        XCTAssertTrue(try Support.snapshot(master02).isEmpty)

        // With the shared files copied, master02 makes only its per-node items.
        try copy(sharedFiles(), from: master01, to: master02)
        let second = try Support.run(config, node: "master02", root: master02)
        let created = Set(second.files.filter { $0.action == .created }.map(\.path))
        let perNode = Set(expectedModes.keys).subtracting(sharedFiles())
        XCTAssertEqual(created.subtracting([pkiDir, "/etc/kubernetes"]), perNode)
        let copied = try Support.snapshot(master02)
        for file in sharedFiles() { XCTAssertEqual(copied[file]?.data, written[file]?.data, file) }
        for file in perNode { XCTAssertNotEqual(copied[file]?.data, written[file]?.data, file) }
        try assertTreeVerifies(master02, node: "master02", config: config)

        // master02's apiserver carries its own name and address; its own kubeconfigs point at itself.
        let sans = try OpenSSLTestSupport.opensslSANs(
            certificateFile: URL(fileURLWithPath: Support.host(master02, "\(pkiDir)/apiserver.crt")))
        XCTAssertTrue(sans.contains(.dns("master02")), "\(sans)")
        XCTAssertTrue(sans.contains(.ip("192.168.1.2")), "\(sans)")
        XCTAssertTrue(sans.contains(.dns("kubernetes.default.svc.cluster.local")), "\(sans)")
        XCTAssertFalse(sans.contains(.dns("master01")), "\(sans)")
        let kubelet = Support.host(master02, "/etc/kubernetes/kubelet.conf")
        let credentials = try Kubeconfig.decode(try String(contentsOfFile: kubelet, encoding: .utf8), file: kubelet)
            .currentCredentials(file: kubelet)
        XCTAssertEqual(credentials.server, "https://192.168.1.2:6443")
        let admin = Support.host(master02, "/etc/kubernetes/admin.conf")
        XCTAssertEqual(
            try Kubeconfig.decode(try String(contentsOfFile: admin, encoding: .utf8), file: admin)
                .currentCredentials(file: admin).server, "https://loadbalancer.example.com:6443")
    }

    func testConvergedRerunWritesNothing() throws {
        let config = try Support.config()
        let root = try TestSupport.makeTemporaryDirectory(self, name: "rerun")
        try Support.run(config, node: "master01", root: root)
        let before = try Support.snapshot(root)
        let mtimes = try before.keys.map {
            try FileManager.default.attributesOfItem(atPath: Support.host(root, $0))[.modificationDate] as! Date
        }
        let rerun = try Support.run(config, node: "master01", root: root)
        XCTAssertEqual(rerun.status, .unchanged, "\(rerun.files)")
        XCTAssertTrue(rerun.files.isEmpty, "\(rerun.files)")
        let after = try Support.snapshot(root)
        XCTAssertEqual(after.mapValues(\.data), before.mapValues(\.data))
        let mtimesAfter = try before.keys.map {
            try FileManager.default.attributesOfItem(atPath: Support.host(root, $0))[.modificationDate] as! Date
        }
        XCTAssertEqual(mtimes, mtimesAfter)
    }

    func testTempFilesOfAKilledRunAreRemovedAndOthersKept() throws {
        let config = try Support.config()
        let root = try TestSupport.makeTemporaryDirectory(self, name: "leftovers")
        try Support.run(config, node: "master01", root: root)
        let ours = [
            "\(pkiDir)/.master-agent.apiserver.key.123.456.tmp", "/etc/kubernetes/.master-agent.admin.conf.1.2.tmp",
        ]
        let foreign = [
            "\(pkiDir)/.master-agent.other.pem.1.2.tmp", "/etc/kubernetes/.master-agent.admin.config.1.2.tmp",
        ]
        for path in ours + foreign { try Data("half".utf8).write(to: URL(fileURLWithPath: Support.host(root, path))) }

        let dry = try Support.run(config, node: "master01", root: root, dryRun: true)
        XCTAssertEqual(Set(dry.files.filter { $0.action == .removed }.map(\.path)), Set(ours))
        XCTAssertTrue(ours.allSatisfy { FileManager.default.fileExists(atPath: Support.host(root, $0)) })

        let rerun = try Support.run(config, node: "master01", root: root)
        XCTAssertEqual(rerun.files.map(\.path).sorted(), ours.sorted(), "\(rerun.files)")
        XCTAssertTrue(rerun.files.allSatisfy { $0.action == .removed && $0.detail == "left by a run that was killed" })
        XCTAssertFalse(ours.contains { FileManager.default.fileExists(atPath: Support.host(root, $0)) })
        XCTAssertTrue(foreign.allSatisfy { FileManager.default.fileExists(atPath: Support.host(root, $0)) })
    }

    func testDryRunWritesNothingAndSaysWhatItWouldMake() throws {
        let config = try Support.config()
        let root = try TestSupport.makeTemporaryDirectory(self, name: "dry")
        let outcome = try Support.run(config, node: "master01", root: root, dryRun: true)
        XCTAssertTrue(try Support.snapshot(root).isEmpty)
        let files = Set(outcome.files.filter { $0.action == .created }.map(\.path))
        XCTAssertEqual(files, Set(expectedModes.keys).union([pkiDir, "/etc/kubernetes"]))
        XCTAssertTrue(outcome.message.contains("dry run"), outcome.message)
        // After a real run, a dry run finds nothing to do.
        try Support.run(config, node: "master01", root: root)
        XCTAssertEqual(try Support.run(config, node: "master01", root: root, dryRun: true).files, [])
    }

    func testMismatchingExistingFileIsRefusedAndNothingIsWritten() throws {
        let config = try Support.config()
        let root = try TestSupport.makeTemporaryDirectory(self, name: "mismatch")
        try Support.run(config, node: "master01", root: root)
        // apiserver.crt replaced by a certificate of another subject and CA; kubelet.conf removed.
        let apiserver = Support.host(root, "\(pkiDir)/apiserver.crt")
        try FileManager.default.removeItem(atPath: apiserver)
        try FileManager.default.copyItem(
            atPath: Support.host(root, "\(pkiDir)/front-proxy-client.crt"), toPath: apiserver)
        try FileManager.default.removeItem(atPath: Support.host(root, "/etc/kubernetes/kubelet.conf"))
        let before = try Support.snapshot(root)
        XCTAssertThrowsError(try Support.run(config, node: "master01", root: root)) { error in
            let text = "\(error)"
            XCTAssertTrue(
                text.contains("\(pkiDir)/apiserver.crt is for CN=front-proxy-client, not CN=kube-apiserver"), text)
            XCTAssertTrue(text.contains("is not signed by \(pkiDir)/ca.crt"), text)
            XCTAssertTrue(text.contains("remove \(pkiDir)/apiserver.crt and \(pkiDir)/apiserver.key"), text)
        }
        XCTAssertEqual(try Support.snapshot(root).mapValues(\.data), before.mapValues(\.data))

        // A sa.pub that is not sa.key's half is refused too, naming the shared fix.
        try FileManager.default.removeItem(atPath: apiserver)
        try FileManager.default.removeItem(atPath: Support.host(root, "\(pkiDir)/apiserver.key"))
        try Data(contentsOf: URL(fileURLWithPath: Support.host(root, "\(pkiDir)/front-proxy-ca.crt")))
            .write(to: URL(fileURLWithPath: Support.host(root, "\(pkiDir)/sa.pub")))
        XCTAssertThrowsError(try Support.run(config, node: "master01", root: root)) { error in
            XCTAssertTrue(
                "\(error)".contains("\(pkiDir)/sa.pub is not the public half of \(pkiDir)/sa.key"), "\(error)")
            XCTAssertTrue("\(error)".contains("copy \(pkiDir)/sa.key, \(pkiDir)/sa.pub from master01"), "\(error)")
        }
    }

    func testTheOperatorsCAFromTheConfigIsCopiedIntoThePKIDirectoryAndUsed() throws {
        let root = try TestSupport.makeTemporaryDirectory(self, name: "operator-ca")
        let caDir = root.appendingPathComponent("srv/ca")
        try FileManager.default.createDirectory(at: caDir, withIntermediateDirectories: true)
        try TestCA.make(in: caDir, subject: "/CN=operator-root", days: 3650, keyType: .ecP256)
        let config = try Support.config {
            $0.replacingOccurrences(
                of: "  caValidityDays: 3650",
                with: "  caValidityDays: 3650\n  caCert: /srv/ca/ca.crt\n  caKey: /srv/ca/ca.key")
        }
        XCTAssertEqual(config.pki.caCert, "/srv/ca/ca.crt")
        try Support.run(config, node: "master01", root: root)
        let written = try Support.snapshot(root)
        XCTAssertEqual(written["\(pkiDir)/ca.crt"]?.data, written["/srv/ca/ca.crt"]?.data)
        XCTAssertEqual(written["\(pkiDir)/ca.key"]?.data, written["/srv/ca/ca.key"]?.data)
        XCTAssertEqual(written["\(pkiDir)/ca.key"]?.mode, 0o600)
        try Support.assertVerifies(
            Support.host(root, "\(pkiDir)/apiserver.crt"), ca: caDir.path + "/ca.crt", purpose: "sslserver")
        XCTAssertEqual(try Support.run(config, node: "master01", root: root).files, [])

        // Another CA already in pki.dir is not replaced: the operator decides which one is right.
        try TestCA.make(in: caDir, name: "other", subject: "/CN=other", days: 30, keyType: .ecP256)
        try FileManager.default.removeItem(atPath: caDir.path + "/ca.crt")
        try FileManager.default.removeItem(atPath: caDir.path + "/ca.key")
        try FileManager.default.moveItem(atPath: caDir.path + "/other.crt", toPath: caDir.path + "/ca.crt")
        try FileManager.default.moveItem(atPath: caDir.path + "/other.key", toPath: caDir.path + "/ca.key")
        let before = try Support.snapshot(root)
        XCTAssertThrowsError(try Support.run(config, node: "master01", root: root)) {
            XCTAssertTrue("\($0)".contains("\(pkiDir)/ca.crt is not the CA given in pki.caCert"), "\($0)")
        }
        XCTAssertEqual(try Support.snapshot(root).mapValues(\.data), before.mapValues(\.data))
    }

    func testAnEncryptionConfigWithABadKeyIsRefusedNotRewritten() throws {
        let config = try Support.config()
        let root = try TestSupport.makeTemporaryDirectory(self, name: "encryption")
        try Support.run(config, node: "master01", root: root)
        let path = Support.host(root, "/etc/kubernetes/encryption-config.yaml")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let key = try XCTUnwrap(
            EncryptionConfiguration.decode(text, file: path).resources[0].providers[0].secretbox?.keys[0].secret)
        try text.replacingOccurrences(of: key, with: Data(count: 16).base64EncodedString())
            .write(toFile: path, atomically: true, encoding: .utf8)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try Support.run(config, node: "master01", root: root)) {
            XCTAssertTrue(
                "\($0)".contains(
                    "/etc/kubernetes/encryption-config.yaml has a secretbox key key1 that is not 32 bytes"),
                "\($0)")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before)
    }

    func testWrongModeIsCorrectedWithoutChangingContent() throws {
        let config = try Support.config()
        let root = try TestSupport.makeTemporaryDirectory(self, name: "modes")
        try Support.run(config, node: "master01", root: root)
        let key = Support.host(root, "\(pkiDir)/apiserver.key")
        let before = try Data(contentsOf: URL(fileURLWithPath: key))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key)
        let outcome = try Support.run(config, node: "master01", root: root)
        XCTAssertEqual(
            outcome.files, [FileReport(path: "\(pkiDir)/apiserver.key", action: .updated, detail: "mode 0644 -> 0600")])
        XCTAssertEqual(try Support.snapshot(root)["\(pkiDir)/apiserver.key"]?.mode, 0o600)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: key)), before)
    }

    func testWithoutTheCAKeyEveryCAIssuedCertificateIsRequestedAndRequestsStayStable() throws {
        let config = try Support.config()
        // The CA host: a full tree whose ca.crt alone reaches master01.
        let caHost = try TestSupport.makeTemporaryDirectory(self, name: "ca-host")
        try Support.run(config, node: "master01", root: caHost)
        let root = try TestSupport.makeTemporaryDirectory(self, name: "offline")
        try copy(["\(pkiDir)/ca.crt"], from: caHost, to: root)
        var pending: ModernCertificatesPending?
        XCTAssertThrowsError(try Support.run(config, node: "master01", root: root)) {
            pending = $0 as? ModernCertificatesPending
        }
        let requests = try XCTUnwrap(pending).requests
        XCTAssertEqual(
            requests,
            ["\(pkiDir)/apiserver.csr", "\(pkiDir)/apiserver-kubelet-client.csr"]
                + kubeconfigs.map { "/etc/kubernetes/\($0).csr" })
        XCTAssertEqual(pending?.exitStatus, .certificatePending)
        XCTAssertEqual(pending?.missingCAKeys, ["\(pkiDir)/ca.key"])
        let message = pending!.description
        XCTAssertTrue(
            message.contains("master-agent certs sign --config cluster.yaml --node master01 --csr-dir master01-csr"),
            message)
        XCTAssertTrue(message.contains("master-agent certs import --node master01 --dir master01-csr"), message)
        // front-proxy-ca is this (first) master's own, so front-proxy-client is signed here.
        let first = try Support.snapshot(root)
        XCTAssertNotNil(first["\(pkiDir)/front-proxy-client.crt"])
        XCTAssertNil(first["\(pkiDir)/apiserver.crt"])
        // The partial kubeconfigs hold the key only, as kubeadm's `certs generate-csr` writes them.
        let admin = try Kubeconfig.decode(
            String(decoding: first["/etc/kubernetes/admin.conf"]!.data, as: UTF8.self), file: "a")
        XCTAssertNil(admin.users[0].user.clientCertificateData)
        XCTAssertNotNil(admin.users[0].user.clientKeyData)
        XCTAssertEqual(first["/etc/kubernetes/admin.conf"]?.mode, 0o600)
        for request in requests {
            let text = try OpenSSLTestSupport.openssl(["req", "-in", Support.host(root, request), "-noout", "-verify"])
            XCTAssertEqual(text.status, 0, "\(request): \(text.stderr)")
        }
        // A rerun keeps every key and request byte for byte.
        XCTAssertThrowsError(try Support.run(config, node: "master01", root: root))
        XCTAssertEqual(try Support.snapshot(root).mapValues(\.data), first.mapValues(\.data))
        // The keys never reach the message.
        let keyPEM = String(decoding: first["\(pkiDir)/apiserver.key"]!.data, as: UTF8.self)
        XCTAssertFalse(message.contains(keyPEM.split(separator: "\n")[1]))
    }

    func testACAKeyThatArrivesLaterCompletesThePendingItemsWithTheirKeys() throws {
        let config = try Support.config()
        let caHost = try TestSupport.makeTemporaryDirectory(self, name: "ca-host-later")
        try Support.run(config, node: "master01", root: caHost)
        let root = try TestSupport.makeTemporaryDirectory(self, name: "later")
        try copy(["\(pkiDir)/ca.crt"], from: caHost, to: root)
        XCTAssertThrowsError(try Support.run(config, node: "master01", root: root))
        let pending = try Support.snapshot(root)
        try copy(["\(pkiDir)/ca.key"], from: caHost, to: root)
        let outcome = try Support.run(config, node: "master01", root: root)
        let done = try Support.snapshot(root)
        XCTAssertEqual(Set(done.keys), Set(expectedModes.keys))
        // The keys made for the requests are the ones certified; the requests are gone.
        XCTAssertEqual(done["\(pkiDir)/apiserver.key"]?.data, pending["\(pkiDir)/apiserver.key"]?.data)
        let admin = try Kubeconfig.decode(
            String(decoding: done["/etc/kubernetes/admin.conf"]!.data, as: UTF8.self), file: "a")
        let partial = try Kubeconfig.decode(
            String(decoding: pending["/etc/kubernetes/admin.conf"]!.data, as: UTF8.self), file: "a")
        XCTAssertEqual(admin.users[0].user.clientKeyData, partial.users[0].user.clientKeyData)
        XCTAssertTrue(
            outcome.files.contains(
                FileReport(path: "/etc/kubernetes/admin.conf.csr", action: .removed, detail: "signed here")))
        try assertTreeVerifies(root, node: "master01", config: config)
    }

    func testRSATreeEndToEnd() throws {
        let config = try Support.config(keyType: .rsa2048)
        let root = try TestSupport.makeTemporaryDirectory(self, name: "rsa")
        try Support.run(config, node: "master01", root: root)
        try assertTreeVerifies(root, node: "master01", config: config)
        let text = try OpenSSLTestSupport.openssl([
            "x509", "-in", Support.host(root, "\(pkiDir)/apiserver.crt"), "-noout", "-text",
        ])
        XCTAssertTrue(text.stdout.contains("Public-Key: (2048 bit)"), text.stdout)
        let report = try ModernCertificateChecker(
            files: RootedFileSystem(root: root.path), pki: OpenSSLToolkit(), config: config,
            node: config.masters[0], now: Date()
        ).check()
        XCTAssertEqual(report.findings, [])
        XCTAssertEqual(report.daysLeft, 364)
    }

    func testLegacyProfileStillRunsTheLegacyStep() throws {
        // The seed config is legacy: no CA configured → the legacy pending error about apiserver.crt, not the tree.
        let config = try TestSupport.seedConfig()
        let root = try TestSupport.makeTemporaryDirectory(self, name: "legacy")
        let context = Support.context(config, node: "master01", root: root)
        XCTAssertThrowsError(try CertsStep().run(context)) {
            XCTAssertTrue($0 is CertsStep.CertificatePending, "\($0)")
        }
    }
}
