import Foundation
import Synchronization
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime

/// Three masters renewing at once through the API double: the Lease `master-agent-certs` lets one at a time in,
/// and each renews its own tree.
final class CertificateRenewalLeaseTests: XCTestCase {
    private typealias Support = ModernCertsTestSupport
    private let leasePath = "/apis/coordination.k8s.io/v1/namespaces/default/leases/master-agent-certs"

    private func control(_ double: CurlDoubleProcess, _ path: String) throws -> Any {
        let response = try HTTPClient(userAgent: "renewal-lease-tests").send(
            HTTPRequest(method: .get, url: double.baseURL + path, headers: [:], body: nil))
        return try JSONSerialization.jsonObject(with: response.body)
    }

    func testThreeMastersNeverOverlapInsideTheLeaseAndAllRenew() throws {
        let double = try CurlDoubleProcess()
        defer { double.stop() }
        let config = try Support.config()
        let nodes = ["master01", "master02", "master03"]
        // Each master's tree, issued 340 days ago: every leaf is due.
        var roots: [String: URL] = [:]
        let first = try TestSupport.makeTemporaryDirectory(self, name: "lease-master01")
        _ = try CertsStep().run(
            Support.context(config, node: "master01", root: first, now: Date().addingTimeInterval(-340 * 86400)))
        roots["master01"] = first
        for node in nodes.dropFirst() {
            let root = try TestSupport.makeTemporaryDirectory(self, name: "lease-\(node)")
            for file in ModernPKIPaths(config).sharedFiles(
                PKITree.modern(ModernPKIInputs(config, node: config.masters[0])))
            where FileManager.default.fileExists(atPath: Support.host(first, file)) {
                try FileManager.default.createDirectory(
                    atPath: (Support.host(root, file) as NSString).deletingLastPathComponent,
                    withIntermediateDirectories: true)
                try FileManager.default.copyItem(atPath: Support.host(first, file), toPath: Support.host(root, file))
            }
            _ = try CertsStep().run(
                Support.context(config, node: node, root: root, now: Date().addingTimeInterval(-340 * 86400)))
            roots[node] = root
        }

        let held = Mutex<[(node: String, start: Date, end: Date, renewed: Int)]>([])
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: nodes.count) { index in
            let node = nodes[index]
            do {
                let client = KubernetesAPIClient(
                    transport: try HTTPClient(userAgent: "renew-\(node)"), baseURL: double.baseURL)
                let elector = LeaderElector(
                    lock: LeaseLock(client: client, namespace: "default", name: CertificateRenewalLease.name),
                    identity: node, timings: try LeaseTimings(leaseDuration: 3, renewInterval: 1),
                    clock: SystemClock(), wallClock: SystemWallClock(), logger: .init(label: node))
                try CertificateRenewalLease(elector: elector, clock: SystemClock(), timeout: 30).run {
                    let start = Date()
                    let result = try ModernCertificateRenewer(
                        files: RootedFileSystem(root: roots[node]!.path), pki: OpenSSLToolkit(), config: config,
                        node: config.master(named: node)!, now: Date()
                    ).renewDue()
                    Thread.sleep(forTimeInterval: 0.4) // the restart and health wait of a real run
                    held.withLock { $0.append((node, start, Date(), result.renewed.count)) }
                }
            } catch {
                failures.withLock { $0.append("\(node): \(error)") }
            }
        }
        XCTAssertEqual(failures.withLock { $0 }, [])
        let periods = held.withLock { $0 }.sorted { $0.start < $1.start }
        XCTAssertEqual(Set(periods.map(\.node)), Set(nodes))
        XCTAssertTrue(periods.allSatisfy { $0.renewed == 9 }, "\(periods)")
        for (earlier, later) in zip(periods, periods.dropFirst()) {
            XCTAssertLessThanOrEqual(earlier.end, later.start, "\(earlier.node) and \(later.node) overlap")
        }

        // The double's log: the successful writes of the Lease come in one block per master (acquire, renewals,
        // release); a master interleaved inside another's block would have written while the other held it.
        let log = try XCTUnwrap((control(double, "/__double/log") as? [String: Any])?["entries"] as? [[String: Any]])
        let writers = log.filter {
            ($0["path"] as? String)?.hasPrefix("/apis/coordination.k8s.io/v1/namespaces/default/leases") == true
                && ["POST", "PUT"].contains($0["method"] as? String)
                && [200, 201].contains($0["status"] as? Int)
        }.compactMap { ($0["userAgent"] as? String)?.replacingOccurrences(of: "renew-", with: "") }
        var blocks: [String] = []
        for writer in writers where blocks.last != writer { blocks.append(writer) }
        XCTAssertEqual(blocks.count, nodes.count, "writes by holder: \(writers)")
        XCTAssertEqual(Set(blocks), Set(nodes))
        XCTAssertEqual(blocks, periods.map(\.node), "the Lease passed in the order the renewals ran")
        let lease = try XCTUnwrap(control(double, leasePath) as? [String: Any])
        XCTAssertEqual((lease["spec"] as? [String: Any])?["holderIdentity"] as? String, "", "released at the end")
    }
}
