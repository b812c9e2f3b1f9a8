import Foundation
import Logging
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime

/// After a renewal on a running master: exactly the affected manifests change, in their annotation only; a
/// component that does not come back puts the old certificates and manifests back.
final class RenewalRolloutTests: XCTestCase {
    private typealias Support = ModernCertsTestSupport

    private func setUpMaster() throws -> (config: ClusterConfig, node: ClusterConfig.Master, root: URL) {
        let config = try Support.config()
        let node = config.master(named: "master01")!
        let root = try TestSupport.makeTemporaryDirectory(self, name: "rollout")
        _ = try CertsStep().run(
            Support.context(config, node: "master01", root: root, now: Date().addingTimeInterval(-340 * 86400)))
        let fs = RootedFileSystem(root: root.path)
        _ = try fs.ensureDirectory(config.kubelet.manifestDir, mode: 0o755)
        for file in try ManifestRenderer.manifests(config: config, node: node) {
            try fs.writeAtomically(file.path, data: Data(file.content.utf8), mode: file.mode)
        }
        return (config, node, root)
    }

    private func rollout(
        _ setup: (config: ClusterConfig, node: ClusterConfig.Master, root: URL),
        waitHealthy: @escaping ([String]) throws -> [String]
    ) -> RenewalRollout {
        RenewalRollout(
            files: RootedFileSystem(root: setup.root.path), config: setup.config, node: setup.node,
            digest: { try RenewalRollout.certificateDigest($0, sha256: OpenSSLSecretsCipher().sha256) },
            waitHealthy: waitHealthy, logger: Logger(label: "test"))
    }

    private func renew(
        _ setup: (config: ClusterConfig, node: ClusterConfig.Master, root: URL)
    ) throws -> ModernCertificateRenewer.Result {
        try ModernCertificateRenewer(
            files: RootedFileSystem(root: setup.root.path), pki: OpenSSLToolkit(), config: setup.config,
            node: setup.node, now: Date()
        ).renewDue()
    }

    func testAffectedManifestsChangeOnlyInTheAnnotation() throws {
        let setup = try setUpMaster()
        let manifestDir = setup.config.kubelet.manifestDir
        let before = try Support.snapshot(setup.root)
        var waitedFor: [[String]] = []
        let renewal = try renew(setup)
        let restarted = try rollout(setup) {
            waitedFor.append($0); return []
        }.roll(renewal)
        XCTAssertEqual(restarted, ["kube-apiserver", "kube-controller-manager", "kube-proxy", "kube-scheduler"])
        XCTAssertEqual(waitedFor, [restarted], "one wait, for the restarted pods")
        let after = try Support.snapshot(setup.root)
        let apiserverCertificate = try Data(
            contentsOf: URL(fileURLWithPath: Support.host(setup.root, "/etc/kubernetes/pki/apiserver.crt")))
        let apiserverDigest = try Certificate(pemData: apiserverCertificate).sha256Fingerprint
            .replacingOccurrences(of: ":", with: "").lowercased()
        for pod in restarted {
            let path = "\(manifestDir)/\(pod).yaml"
            let old = String(decoding: try XCTUnwrap(before[path]).data, as: UTF8.self)
            let new = String(decoding: try XCTUnwrap(after[path]).data, as: UTF8.self)
            let added = new.components(separatedBy: "\n").filter { !old.components(separatedBy: "\n").contains($0) }
            XCTAssertEqual(added.count, 2, "\(pod): \(added)")
            XCTAssertEqual(added.first, "  annotations:")
            XCTAssertTrue(added.last?.hasPrefix("    \(CertificateRestartAnnotation.key): ") == true, "\(added)")
            if pod == "kube-apiserver" {
                XCTAssertTrue(added.last?.contains("apiserver=\(apiserverDigest)") == true, "\(added)")
            }
            let pruned = new.components(separatedBy: "\n").filter { !added.contains($0) }.joined(separator: "\n")
            XCTAssertEqual(pruned, old, pod)
        }

        // Nothing due on the next run: nothing restarted, the manifests stay.
        let second = try renew(setup)
        XCTAssertEqual(second.renewed, [])
        XCTAssertEqual(
            try rollout(setup) { _ in
                XCTFail("no wait without a restart"); return []
            }.roll(second), [])
        let final = try Support.snapshot(setup.root)
        for pod in restarted {
            XCTAssertEqual(final["\(manifestDir)/\(pod).yaml"]?.data, after["\(manifestDir)/\(pod).yaml"]?.data)
        }
    }

    func testAComponentThatDoesNotComeBackRestoresTheOldCertificates() throws {
        let setup = try setUpMaster()
        let before = try Support.snapshot(setup.root)
        let renewal = try renew(setup)
        XCTAssertFalse(renewal.renewed.isEmpty)
        var waits = 0
        XCTAssertThrowsError(
            try rollout(setup) { _ in
                waits += 1
                return waits == 1 ? ["kube-apiserver"] : []
            }.roll(renewal)
        ) { error in
            let rolledBack = error as? RenewalRolledBack
            XCTAssertEqual(rolledBack?.unhealthy, ["kube-apiserver"])
            XCTAssertEqual(rolledBack?.unhealthyAfterRestore, [])
            XCTAssertTrue("\(error)".contains("kube-apiserver did not become healthy"), "\(error)")
            XCTAssertTrue("\(error)".contains("/etc/kubernetes/pki/apiserver.crt"), "\(error)")
        }
        XCTAssertEqual(waits, 2, "a second wait after the restore")
        let after = try Support.snapshot(setup.root)
        let changed = Set(
            after.keys.filter { after[$0]?.data != before[$0]?.data || after[$0]?.mode != before[$0]?.mode })
        XCTAssertEqual(changed, [], "old certificates, kubeconfigs and manifests are back byte for byte")
    }

    func testAManifestTheConfigDoesNotRenderIsRefusedBeforeAnyWrite() throws {
        let setup = try setUpMaster()
        let path = Support.host(setup.root, "\(setup.config.kubelet.manifestDir)/kube-scheduler.yaml")
        try (try String(contentsOfFile: path, encoding: .utf8) + "# edited by hand\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let renewal = try renew(setup)
        let manifests = try Support.snapshot(setup.root).filter { $0.key.hasPrefix("/etc/kubernetes/manifests/") }
        XCTAssertThrowsError(try rollout(setup) { _ in [] }.roll(renewal)) {
            XCTAssertTrue("\($0)".contains("kube-scheduler.yaml is not as the agent writes it"), "\($0)")
        }
        let after = try Support.snapshot(setup.root).filter { $0.key.hasPrefix("/etc/kubernetes/manifests/") }
        XCTAssertEqual(after.mapValues(\.data), manifests.mapValues(\.data))
    }

    func testALaterBootstrapKeepsTheAnnotationAndWritesNothing() throws {
        let setup = try setUpMaster()
        let manifestDir = setup.config.kubelet.manifestDir
        let context = Support.context(setup.config, node: "master01", root: setup.root)
        context.secretsCipher = OpenSSLSecretsCipher()
        _ = try ManifestsStep().run(context) // the files the pods read, which setUpMaster does not write
        let restarted = try rollout(setup) { _ in [] }.roll(try renew(setup))
        XCTAssertEqual(restarted.count, 4)
        let before = try Support.snapshot(setup.root)
        let outcome = try ManifestsStep().run(context)
        XCTAssertEqual(outcome.files.filter { $0.action != .unchanged }.map(\.path), [], outcome.message)
        let after = try Support.snapshot(setup.root)
        XCTAssertEqual(after.mapValues(\.data), before.mapValues(\.data), "the annotation stays, nothing restarts")
        let apiserver = String(
            decoding: try XCTUnwrap(after["\(manifestDir)/kube-apiserver.yaml"]).data,
            as: UTF8.self)
        XCTAssertTrue(CertificateRestartAnnotation.isPresent(inManifest: apiserver))

        // A certificate changed since (renewed by hand): the next bootstrap carries its new digest, so the kubelet
        // restarts that pod.
        let fs = RootedFileSystem(root: setup.root.path)
        let forced = try ModernCertificateRenewer(
            files: fs, pki: OpenSSLToolkit(), config: setup.config, node: setup.node,
            now: Date().addingTimeInterval(400 * 86400)
        ).renewDue()
        XCTAssertTrue(forced.renewed.contains("scheduler.conf"))
        _ = try ManifestsStep().run(context)
        let digest = try RenewalRollout.certificateDigest(
            try Kubeconfig.decode(
                String(decoding: try XCTUnwrap(fs.readFile("/etc/kubernetes/scheduler.conf")).data, as: UTF8.self),
                file: "scheduler.conf"
            ).currentCredentials(file: "scheduler.conf").clientCertificatePEM,
            sha256: OpenSSLSecretsCipher().sha256)
        let scheduler = String(
            decoding: try XCTUnwrap(fs.readFile("\(manifestDir)/kube-scheduler.yaml")).data,
            as: UTF8.self)
        XCTAssertTrue(scheduler.contains("scheduler.conf=\(digest)"), scheduler)
    }
}
