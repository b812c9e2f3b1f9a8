import Foundation
import Synchronization
import XCTest
import Yams

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime

/// `master-agent certs renew --due --coordinate` as processes against trees a (stand-in) control plane uses: the
/// API double holds the Lease `master-agent-certs`, health stand-ins answer where the manifests on disk say the
/// components are probed. Each tree was issued 340 days ago, so every leaf is due.
final class LiveRenewalProcessTests: XCTestCase {
    private typealias Support = ModernCertsTestSupport
    private let leasePath = "/apis/coordination.k8s.io/v1/namespaces/default/leases/master-agent-certs"
    private var cleanups: [() -> Void] = []
    private var certs: CurlTestCertificates!

    override func setUpWithError() throws {
        certs = try CurlTestCertificates()
        cleanups.append(certs.remove)
    }

    override func tearDown() {
        for cleanup in cleanups.reversed() { cleanup() }
        cleanups = []
    }

    private func apiDouble() throws -> CurlDoubleProcess {
        let double = try CurlDoubleProcess(["--tls-cert", certs.cert("server"), "--tls-key", certs.key("server")])
        cleanups.append(double.stop)
        return double
    }

    /// Stand-ins for the controller manager, the scheduler and kube-proxy: healthy at once, except the scheduler
    /// when `schedulerNeverHealthy`.
    private func standIns(schedulerNeverHealthy: Bool = false) throws -> [String: (host: String, port: Int)] {
        let standIn = try HealthStandIn(
            ["https:127.0.0.2:0", "https:127.0.0.3:\(schedulerNeverHealthy ? 100000 : 0)", "http:127.0.0.4:0"],
            cert: certs.cert("server"), key: certs.key("server"))
        cleanups.append(standIn.stop)
        return [
            "kube-controller-manager": ("127.0.0.2", standIn.ports[0]),
            "kube-scheduler": ("127.0.0.3", standIn.ports[1]), "kube-proxy": ("127.0.0.4", standIn.ports[2]),
        ]
    }

    /// Where each tree holds the CA of the API double's serving certificate (the config's paths are in the tree).
    private let apiCAFile = "/etc/master-agent/test-api-ca.crt"

    /// The config file: the API at `apiURL`, verified with the test CA, a short health wait and Lease.
    private func writeConfig(apiURL: String, extraSANs: [String] = []) throws -> (path: String, config: ClusterConfig) {
        let dir = try TestSupport.makeTemporaryDirectory(self, name: "live-renew-config")
        let path = dir.path + "/cluster.yaml"
        let text =
            try TestSupport.fixtureText("modern-cluster.yaml")
            .replacingOccurrences(of: "keyType: rsa-2048", with: "keyType: ecdsa-p256")
            .replacingOccurrences(of: "https://192.168.0.", with: "https://127.0.0.")
            .replacingOccurrences(
                of:
                    "  # localURL: https://127.0.0.1:6443 (modern default; the agent authenticates with super-admin.conf)",
                with: "  localURL: \(apiURL)\n  caFile: \(apiCAFile)\n  waitTimeout: 4s"
            )
            .replacingOccurrences(
                of: "  caValidityDays: 3650",
                with: "  caValidityDays: 3650"
                    + (extraSANs.isEmpty ? "" : "\n  extraSANs: [\(extraSANs.joined(separator: ", "))]"))
            + "\nelection:\n  namespace: default\n  leaseDuration: 3s\n  renewInterval: 1s\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (path, try ConfigLoader.load(yaml: text, file: path))
    }

    /// One tree per master issued `daysAgo` days ago from one CA, with manifests whose probes point at the
    /// stand-ins (written as the agent writes manifests) and the kubelet configuration.
    private func trees(
        _ config: ClusterConfig, nodes: [String], daysAgo: Double, probes: [String: (host: String, port: Int)]
    ) throws -> [String: URL] {
        var roots: [String: URL] = [:]
        let issued = Date().addingTimeInterval(-daysAgo * 86400)
        for node in nodes {
            let root = try TestSupport.makeTemporaryDirectory(self, name: "live-renew-\(node)")
            if let first = roots[nodes[0]] {
                for file in ModernPKIPaths(config).sharedFiles(
                    PKITree.modern(ModernPKIInputs(config, node: config.masters[0])))
                where FileManager.default.fileExists(atPath: Support.host(first, file)) {
                    try FileManager.default.createDirectory(
                        atPath: (Support.host(root, file) as NSString).deletingLastPathComponent,
                        withIntermediateDirectories: true)
                    try FileManager.default.copyItem(
                        atPath: Support.host(first, file), toPath: Support.host(root, file))
                }
            }
            _ = try CertsStep().run(Support.context(config, node: node, root: root, now: issued))
            let fs = RootedFileSystem(root: root.path)
            _ = try fs.ensureDirectory(config.kubelet.manifestDir, mode: 0o755)
            for var pod in ModernProfile().staticPods(config: config, node: config.master(named: node)!) {
                if let address = probes[pod.metadata.name] { pod = HealthStandIn.probed(pod, at: address) }
                try fs.writeAtomically(
                    "\(config.kubelet.manifestDir)/\(pod.metadata.name).yaml",
                    data: Data(ManifestRenderer.yaml(pod).utf8), mode: 0o600)
            }
            _ = try fs.ensureDirectory("/etc/master-agent", mode: 0o755)
            try fs.writeAtomically(
                apiCAFile, data: try Data(contentsOf: URL(fileURLWithPath: certs.cert("ca"))), mode: 0o644)
            _ = try fs.ensureDirectory("/var/lib/kubelet", mode: 0o755)
            try fs.writeAtomically(
                ModernLayout.kubeletConfig,
                data: Data(try ManifestRenderer.yaml(encoding: KubeletConfiguration(config)).utf8), mode: 0o600)
            roots[node] = root
        }
        return roots
    }

    /// Plays each master's kubelet for the API: every 0.1 s, the mirror pod `<pod>-<node>` in kube-system carries
    /// the annotations of the manifest on disk, as a kubelet's does once it runs the pod from that manifest.
    private func startKubelets(_ double: CurlDoubleProcess, roots: [String: URL], config: ClusterConfig) throws {
        let client = try HTTPClient(tls: HTTPTLSConfig(caFile: certs.cert("ca")), userAgent: "kubelet-stand-in")
        let namespace = try JSONSerialization.data(withJSONObject: [
            "apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "kube-system"],
        ])
        _ = try client.send(
            HTTPRequest(
                method: .post, url: double.baseURL + "/api/v1/namespaces",
                headers: ["Content-Type": "application/json"], body: namespace))
        let stop = Mutex(false)
        let finished = DispatchSemaphore(value: 0)
        let manifestDir = config.kubelet.manifestDir
        Thread.detachNewThread {
            var mirrored: [String: Data] = [:]
            while !stop.withLock({ $0 }) {
                for (node, root) in roots {
                    for pod in CertificateRestartAnnotation.entriesByPod.keys {
                        let path = Support.host(root, "\(manifestDir)/\(pod).yaml")
                        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path)),
                            mirrored["\(node)/\(pod)"] != data,
                            let manifest = try? YAMLDecoder().decode(
                                StaticPod.self, from: String(decoding: data, as: UTF8.self))
                        else { continue }
                        var metadata: [String: Any] = ["name": "\(pod)-\(node)", "namespace": "kube-system"]
                        if let annotations = manifest.metadata.annotations { metadata["annotations"] = annotations }
                        let body = try? JSONSerialization.data(withJSONObject: [
                            "apiVersion": "v1", "kind": "Pod", "metadata": metadata,
                        ])
                        let answer = try? client.send(
                            HTTPRequest(
                                method: .put,
                                url: double.baseURL + "/api/v1/namespaces/kube-system/pods/\(pod)-\(node)",
                                headers: ["Content-Type": "application/json"], body: body))
                        if let status = answer?.status, status < 300 { mirrored["\(node)/\(pod)"] = data }
                    }
                }
                Thread.sleep(forTimeInterval: 0.1)
            }
            finished.signal()
        }
        cleanups.append {
            stop.withLock { $0 = true }
            finished.wait()
        }
    }

    private struct Output: Decodable {
        let coordinated: Bool
        let note: String
        let rows: [RenewalRow]
    }

    private func renew(_ configPath: String, node: String, root: URL) throws -> TestSupport.ProcessResult {
        try TestSupport.agent([
            "certs", "renew", "--due", "--coordinate", "--root", root.path, "--node", node, "--config", configPath,
            "--output", "json",
        ])
    }

    private func manifests(_ root: URL) throws -> [String: Data] {
        try Support.snapshot(root).filter { $0.key.hasPrefix("/etc/kubernetes/manifests/") }.mapValues(\.data)
    }

    /// The pod of a manifest without the restart annotation.
    private func withoutAnnotation(_ data: Data) throws -> StaticPod {
        var pod = try YAMLDecoder().decode(StaticPod.self, from: String(decoding: data, as: UTF8.self))
        pod.metadata.annotations?[CertificateRestartAnnotation.key] = nil
        if pod.metadata.annotations?.isEmpty == true { pod.metadata.annotations = nil }
        return pod
    }

    private func digest(_ root: URL, _ file: String) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: Support.host(root, file)))
        return try Certificate(pemData: data).sha256Fingerprint.replacingOccurrences(of: ":", with: "").lowercased()
    }

    func testThreeMastersRenewOneAtATimeUnderTheLeaseAndOnlyTheAnnotationChanges() throws {
        let double = try apiDouble()
        let (configPath, config) = try writeConfig(apiURL: double.baseURL)
        let nodes = ["master01", "master02", "master03"]
        let roots = try trees(config, nodes: nodes, daysAgo: 340, probes: try standIns())
        let before = try roots.mapValues { try manifests($0) }
        try startKubelets(double, roots: roots, config: config)

        let results = Mutex<[String: TestSupport.ProcessResult]>([:])
        let errors = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: nodes.count) { index in
            do {
                let result = try renew(configPath, node: nodes[index], root: roots[nodes[index]]!)
                results.withLock { $0[nodes[index]] = result }
            } catch {
                errors.withLock { $0.append("\(nodes[index]): \(error)") }
            }
        }
        XCTAssertEqual(errors.withLock { $0 }, [])
        for node in nodes {
            let result = try XCTUnwrap(results.withLock { $0[node] })
            XCTAssertEqual(result.status, 0, "\(node): \(result.stderr)")
            let output = try JSONDecoder().decode(Output.self, from: Data(result.stdout.utf8))
            XCTAssertTrue(output.coordinated, output.note)
            XCTAssertTrue(output.note.contains("renewed under Lease default/master-agent-certs"), output.note)
            XCTAssertTrue(
                output.note.contains(
                    "restarted and healthy: kube-apiserver, kube-controller-manager, kube-proxy, kube-scheduler"),
                output.note)
            XCTAssertEqual(output.rows.filter { $0.outcome == .renewed }.count, 9, "\(node): \(output.rows)")
            let root = try XCTUnwrap(roots[node])
            try Support.assertVerifies(
                Support.host(root, "/etc/kubernetes/pki/apiserver.crt"),
                ca: Support.host(root, "/etc/kubernetes/pki/ca.crt"), purpose: "sslserver")

            // Every manifest changed in the annotation only, and it carries the renewed certificates' digests.
            let after = try manifests(root)
            XCTAssertEqual(Set(after.keys), Set(before[node]!.keys))
            for (path, data) in after {
                XCTAssertNotEqual(data, before[node]![path], "\(node) \(path) restarted")
                XCTAssertEqual(try withoutAnnotation(data), try withoutAnnotation(before[node]![path]!), path)
            }
            let apiserver = try YAMLDecoder().decode(
                StaticPod.self,
                from: String(decoding: after["/etc/kubernetes/manifests/kube-apiserver.yaml"]!, as: UTF8.self))
            let value = try XCTUnwrap(apiserver.metadata.annotations?[CertificateRestartAnnotation.key])
            XCTAssertTrue(
                value.contains("apiserver=\(try digest(root, "/etc/kubernetes/pki/apiserver.crt"))"), value)
        }

        try assertOneLeaseHolderAtATime(double, nodes: nodes)
        XCTAssertEqual(try holder(double), "", "released at the end")
    }

    func testBootstrapReissuesANamesChangeOneMasterAtATimeAndRestartsOnlyTheAPIServer() throws {
        let double = try apiDouble()
        let (_, config) = try writeConfig(apiURL: double.baseURL)
        let nodes = ["master01", "master02", "master03"]
        let roots = try trees(config, nodes: nodes, daysAgo: 1, probes: try standIns())
        let before = try roots.mapValues { try Support.snapshot($0) }
        try startKubelets(double, roots: roots, config: config)
        // The operator adds a name for the load balancer's new DNS entry and an address (rendered, never contacted).
        let (changedPath, _) = try writeConfig(apiURL: double.baseURL, extraSANs: ["api.example.org", "192.168.3.9"])

        let results = Mutex<[String: TestSupport.ProcessResult]>([:])
        DispatchQueue.concurrentPerform(iterations: nodes.count) { index in
            let result = try? TestSupport.agent([
                "bootstrap", "--steps", "certs", "--coordinate", "--root", roots[nodes[index]]!.path, "--node",
                nodes[index], "--config", changedPath,
            ])
            results.withLock { $0[nodes[index]] = result }
        }
        for node in nodes {
            let result = try XCTUnwrap(results.withLock { $0[node] }, node)
            XCTAssertEqual(result.status, 0, "\(node): \(result.stdout) \(result.stderr)")
            XCTAssertTrue(
                result.stdout.contains(
                    "names changed: renewed under Lease default/master-agent-certs; restarted and healthy: kube-apiserver"
                ), "\(node): \(result.stdout)")
            let root = try XCTUnwrap(roots[node])
            let after = try Support.snapshot(root)
            let changed = Set(after.keys.filter { after[$0]?.data != before[node]![$0]?.data })
                .subtracting(["/run/master-agent.lock"])
            XCTAssertEqual(
                changed, ["/etc/kubernetes/pki/apiserver.crt", "/etc/kubernetes/manifests/kube-apiserver.yaml"],
                "\(node): only the API server's certificate and, in its annotation, its manifest")
            let manifest = "/etc/kubernetes/manifests/kube-apiserver.yaml"
            XCTAssertEqual(
                try withoutAnnotation(after[manifest]!.data), try withoutAnnotation(before[node]![manifest]!.data))
            let path = Support.host(root, "/etc/kubernetes/pki/apiserver.crt")
            try Support.assertVerifies(path, ca: Support.host(root, "/etc/kubernetes/pki/ca.crt"), purpose: "sslserver")
            let facts = try Support.facts(path)
            XCTAssertTrue(facts.subjectAltNames.contains(.dns("api.example.org")), "\(facts.subjectAltNames)")
            XCTAssertTrue(facts.subjectAltNames.contains(.ip("192.168.3.9")), "\(facts.subjectAltNames)")
        }
        try assertOneLeaseHolderAtATime(double, nodes: nodes)
        XCTAssertEqual(try holder(double), "", "released at the end")

        // Converged: a second bootstrap neither takes the Lease nor restarts anything.
        let settled = try roots.mapValues { try Support.snapshot($0) }
        let again = try TestSupport.agent([
            "bootstrap", "--steps", "certs", "--coordinate", "--root", roots["master01"]!.path, "--node", "master01",
            "--config", changedPath,
        ])
        XCTAssertEqual(again.status, 0, again.stdout + again.stderr)
        XCTAssertFalse(again.stdout.contains("names changed"), again.stdout)
        let now = try Support.snapshot(roots["master01"]!)
        XCTAssertEqual(
            Set(now.keys.filter { now[$0]?.data != settled["master01"]![$0]?.data }).subtracting([
                "/run/master-agent.lock"
            ]), [])
    }

    func testAComponentThatDoesNotComeBackGetsItsOldCertificatesBack() throws {
        let double = try apiDouble()
        let (configPath, config) = try writeConfig(apiURL: double.baseURL)
        let roots = try trees(
            config, nodes: ["master01"], daysAgo: 340, probes: try standIns(schedulerNeverHealthy: true))
        let root = try XCTUnwrap(roots["master01"])
        let before = try Support.snapshot(root)
        try startKubelets(double, roots: roots, config: config)

        let result = try renew(configPath, node: "master01", root: root)
        XCTAssertNotEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(
            result.stderr.contains("kube-scheduler did not become healthy with the new certificates"), result.stderr)
        let after = try Support.snapshot(root)
        let changed = after.keys.filter {
            !$0.hasPrefix("/run/") && (after[$0]?.data != before[$0]?.data || after[$0]?.mode != before[$0]?.mode)
        }
        XCTAssertEqual(changed, [], "the old certificates, kubeconfigs and manifests are back byte for byte")
        XCTAssertEqual(try holder(double), "", "the Lease is released after the rollback too")
    }

    /// The double's log: the Lease's successful writes come in one block per master (acquire, renewals,
    /// release); a master inside another's block would have written while the other held it.
    private func assertOneLeaseHolderAtATime(
        _ double: CurlDoubleProcess, nodes: [String], file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let log = try double.control("log") as? [String: Any]
        let entries = try XCTUnwrap(log?["entries"] as? [[String: Any]])
        let writers = entries.filter {
            ($0["path"] as? String)?.hasPrefix("/apis/coordination.k8s.io/v1/namespaces/default/leases") == true
                && ["POST", "PUT"].contains($0["method"] as? String) && [200, 201].contains($0["status"] as? Int)
        }.compactMap { entry in nodes.first { (entry["userAgent"] as? String)?.contains("(node \($0))") == true } }
        var blocks: [String] = []
        for writer in writers where blocks.last != writer { blocks.append(writer) }
        XCTAssertEqual(blocks.count, nodes.count, "Lease writes by holder: \(writers)", file: file, line: line)
        XCTAssertEqual(Set(blocks), Set(nodes), file: file, line: line)
    }

    private func holder(_ double: CurlDoubleProcess) throws -> String? {
        let response = try HTTPClient(tls: HTTPTLSConfig(caFile: certs.cert("ca")), userAgent: "live-renewal-tests")
            .send(HTTPRequest(method: .get, url: double.baseURL + leasePath, headers: [:], body: nil))
        let lease = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        return (lease?["spec"] as? [String: Any])?["holderIdentity"] as? String
    }

    /// master01's live tree (every leaf due) made an offline CA's: `certs renew --due --coordinate` wrote the
    /// requests (exit 3) and the CA host (ca.key moved out of the tree) signed them; returns the signed directory.
    private func signedOffline(
        _ configPath: String, config: ClusterConfig, root: URL
    ) throws -> URL {
        let caHost = try TestSupport.makeTemporaryDirectory(self, name: "ca-host")
        for file in ["ca.crt", "ca.key"] {
            try FileManager.default.copyItem(
                atPath: Support.host(root, "/etc/kubernetes/pki/\(file)"), toPath: caHost.path + "/\(file)")
        }
        try FileManager.default.removeItem(atPath: Support.host(root, "/etc/kubernetes/pki/ca.key"))
        let requested = try renew(configPath, node: "master01", root: root)
        XCTAssertEqual(requested.status, ExitStatus.certificatePending.rawValue, requested.stdout + requested.stderr)
        let output = try JSONDecoder().decode(Output.self, from: Data(requested.stdout.utf8))
        let requests = output.rows.compactMap(\.request)
        XCTAssertEqual(requests.count, 8, "\(output.rows)")
        let csrDir = try TestSupport.makeTemporaryDirectory(self, name: "master01-csr")
        for request in requests {
            try FileManager.default.copyItem(
                atPath: Support.host(root, request), toPath: csrDir.path + "/" + (request as NSString).lastPathComponent
            )
        }
        let signed = try TestSupport.agent([
            "certs", "sign", "--node", "master01", "--csr-dir", csrDir.path, "--ca-dir", caHost.path, "--config",
            configPath,
        ])
        XCTAssertEqual(signed.status, 0, signed.stdout + signed.stderr)
        return csrDir
    }

    private func importSigned(_ configPath: String, dir: URL, root: URL) throws -> TestSupport.ProcessResult {
        try TestSupport.agent([
            "certs", "import", "--node", "master01", "--dir", dir.path, "--coordinate", "--root", root.path,
            "--config", configPath,
        ])
    }

    /// Successful writes of the renewal Lease in the double's log.
    private func leaseWrites(_ double: CurlDoubleProcess) throws -> Int {
        let log = try double.control("log") as? [String: Any]
        let entries = try XCTUnwrap(log?["entries"] as? [[String: Any]])
        return entries.filter {
            ($0["path"] as? String)?.hasSuffix("/leases/master-agent-certs") == true
                && ["POST", "PUT"].contains($0["method"] as? String) && [200, 201].contains($0["status"] as? Int)
        }.count
    }

    func testAnImportFromTheCAHostReplacesTheCertificatesUnderTheLeaseAndRestartsThePods() throws {
        let double = try apiDouble()
        let (configPath, config) = try writeConfig(apiURL: double.baseURL)
        let root = try XCTUnwrap(
            try trees(config, nodes: ["master01"], daysAgo: 340, probes: try standIns())["master01"])
        try startKubelets(double, roots: ["master01": root], config: config)
        let csrDir = try signedOffline(configPath, config: config, root: root)
        let before = try Support.snapshot(root)
        let writesBefore = try leaseWrites(double)

        let result = try importSigned(configPath, dir: csrDir, root: root)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(
            result.stdout.contains(
                "renewed under Lease default/master-agent-certs; restarted and healthy: kube-apiserver, kube-controller-manager, kube-proxy, kube-scheduler"
            ), result.stdout)
        XCTAssertGreaterThan(try leaseWrites(double), writesBefore, "the import took the Lease")
        XCTAssertEqual(try holder(double), "", "and released it")
        let after = try Support.snapshot(root)
        XCTAssertEqual(after.keys.filter { $0.hasSuffix(".csr") }, [], "the requests are answered")
        try Support.assertVerifies(
            Support.host(root, "/etc/kubernetes/pki/apiserver.crt"),
            ca: Support.host(root, "/etc/kubernetes/pki/ca.crt"), purpose: "sslserver")
        XCTAssertEqual(
            after["/etc/kubernetes/pki/apiserver.key"]?.data, before["/etc/kubernetes/pki/apiserver.key"]?.data)
        // The manifests changed in the annotation only, which carries the imported certificate's digest.
        for (path, data) in try manifests(root) {
            XCTAssertNotEqual(data, before[path]?.data, "\(path) restarted")
            XCTAssertEqual(try withoutAnnotation(data), try withoutAnnotation(before[path]!.data), path)
        }
        let apiserver = try YAMLDecoder().decode(
            StaticPod.self,
            from: String(decoding: after["/etc/kubernetes/manifests/kube-apiserver.yaml"]!.data, as: UTF8.self))
        let value = try XCTUnwrap(apiserver.metadata.annotations?[CertificateRestartAnnotation.key])
        XCTAssertTrue(value.contains("apiserver=\(try digest(root, "/etc/kubernetes/pki/apiserver.crt"))"), value)

        // The signed certificates stay in the directory: the same import again writes nothing, takes no Lease.
        let writesAfter = try leaseWrites(double)
        let again = try importSigned(configPath, dir: csrDir, root: root)
        XCTAssertEqual(again.status, 0, again.stdout + again.stderr)
        let signedNames = try FileManager.default.contentsOfDirectory(atPath: csrDir.path).filter {
            $0.hasSuffix(".crt")
        }
        XCTAssertEqual(signedNames.count, 8, "\(signedNames)")
        for name in signedNames {
            XCTAssertTrue(again.stdout.contains("\(name) is already installed in /etc/kubernetes/"), again.stdout)
        }
        XCTAssertTrue(again.stdout.contains("nothing imported"), again.stdout)
        XCTAssertFalse(again.stdout.contains("renewed under Lease"), again.stdout)
        XCTAssertEqual(try leaseWrites(double), writesAfter, "no Lease taken")
        let rerun = try Support.snapshot(root)
        XCTAssertEqual(Set(rerun.keys), Set(after.keys))
        for (path, file) in rerun {
            XCTAssertEqual(file.data, after[path]?.data, path)
            XCTAssertEqual(file.mode, after[path]?.mode, path)
        }
    }

    func testAnImportWhoseComponentDoesNotComeBackPutsTheOldFilesAndRequestsBack() throws {
        let double = try apiDouble()
        let (configPath, config) = try writeConfig(apiURL: double.baseURL)
        let root = try XCTUnwrap(
            try trees(config, nodes: ["master01"], daysAgo: 340, probes: try standIns(schedulerNeverHealthy: true))[
                "master01"])
        try startKubelets(double, roots: ["master01": root], config: config)
        // The first renewal's restart (front-proxy-client, signed here) concerns only kube-apiserver.
        let csrDir = try signedOffline(configPath, config: config, root: root)
        let before = try Support.snapshot(root)

        let result = try importSigned(configPath, dir: csrDir, root: root)
        XCTAssertNotEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(
            result.stderr.contains("kube-scheduler did not become healthy with the new certificates"), result.stderr)
        let after = try Support.snapshot(root)
        let changed = Set(before.keys).union(after.keys).filter {
            !$0.hasPrefix("/run/") && (after[$0]?.data != before[$0]?.data || after[$0]?.mode != before[$0]?.mode)
        }
        XCTAssertEqual(changed, [], "the old certificates, kubeconfigs, manifests and the requests are back")
        XCTAssertEqual(try holder(double), "", "the Lease is released after the rollback too")
    }

    func testHealthIsAskedOnlyOnceTheKubeletRunsTheNewManifest() throws {
        // No kubelet updates the mirror pods: the old pods, which the stand-ins play, would answer ok, but the
        // renewal does not count them as restarted.
        let double = try apiDouble()
        let (configPath, config) = try writeConfig(apiURL: double.baseURL)
        let roots = try trees(config, nodes: ["master01"], daysAgo: 340, probes: try standIns())
        let root = try XCTUnwrap(roots["master01"])
        let before = try Support.snapshot(root)

        let result = try renew(configPath, node: "master01", root: root)
        XCTAssertNotEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stderr.contains("the kubelet did not run the new manifests"), result.stderr)
        XCTAssertTrue(result.stderr.contains("did not become healthy with the new certificates"), result.stderr)
        let after = try Support.snapshot(root)
        XCTAssertEqual(
            after.keys.filter { !$0.hasPrefix("/run/") && after[$0]?.data != before[$0]?.data }, [],
            "restored")
    }

    func testExpiredCertificatesAreRenewedLocallyWhenTheAPIIsDown() throws {
        // A port nothing listens on: the double, stopped.
        let double = try apiDouble()
        let url = double.baseURL
        double.stop()
        let (configPath, config) = try writeConfig(apiURL: url)
        let roots = try trees(config, nodes: ["master01"], daysAgo: 370, probes: [:])
        let root = try XCTUnwrap(roots["master01"])
        let manifestsBefore = try manifests(root)

        let result = try renew(configPath, node: "master01", root: root)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let output = try JSONDecoder().decode(Output.self, from: Data(result.stdout.utf8))
        XCTAssertFalse(output.coordinated)
        XCTAssertTrue(output.note.contains("is down"), output.note)
        XCTAssertTrue(
            output.note.contains("renewed only expired certificates, locally, without the Lease"), output.note)
        XCTAssertTrue(result.stderr.contains("renewing only expired certificates, locally"), result.stderr)
        XCTAssertEqual(output.rows.filter { $0.outcome == .renewed }.count, 9, "\(output.rows)")
        try Support.assertVerifies(
            Support.host(root, "/etc/kubernetes/pki/apiserver.crt"),
            ca: Support.host(root, "/etc/kubernetes/pki/ca.crt"), purpose: "sslserver")
        // The kubelet restarts the affected pods: their manifests changed in the annotation only.
        for (path, data) in try manifests(root) {
            XCTAssertEqual(try withoutAnnotation(data), try withoutAnnotation(manifestsBefore[path]!), path)
        }
        XCTAssertNotEqual(try manifests(root), manifestsBefore)
    }
}
