import Foundation
import Logging
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

final class PreflightStepTests: XCTestCase {
    /// Answers etcd /health per URL; a missing URL is a refused connection.
    private final class EtcdHealthAnswers: HTTPTransport {
        var answers: [String: (Int, String)] = [:]
        private(set) var requested: [String] = []
        func send(_ request: HTTPRequest) throws -> HTTPResponse {
            requested.append(request.url)
            guard let (status, body) = answers[request.url] else {
                throw HTTPClientError(
                    code: .connectionRefused, method: request.method.rawValue, url: request.url, curlCode: 7,
                    curlMessage: "Connection refused", tlsVerifyResult: nil, osErrno: ECONNREFUSED)
            }
            return HTTPResponse(
                status: status, headers: [:], body: Data(body.utf8),
                timing: .init(
                    total: .zero, nameLookup: .zero, connect: .zero, tlsHandshake: .zero, firstByte: .zero,
                    newConnections: 0))
        }
    }

    private func context(_ store: InMemoryFileStore, etcd: EtcdHealthAnswers?, strict: Bool = false, root: Bool = true)
        throws -> BootstrapContext
    {
        let config = try TestSupport.seedConfig()
        let context = BootstrapContext(
            config: config, node: config.masters[0], files: store, dryRun: false, logger: Logger(label: "t"),
            clock: ManualClock(), random: FixedRandom(), makeAPITransport: { throw UsageError("unused") })
        context.runningAsRoot = root
        context.strict = strict
        if let etcd { context.makeEtcdTransport = { etcd } }
        return context
    }

    private func completeNode() -> InMemoryFileStore {
        let store = InMemoryFileStore()
        for path in ["/etc/ssl/etcd/ca.crt", "/etc/ssl/etcd/etcd-client.crt", "/etc/ssl/etcd/etcd-client.key"] {
            store.files[path] = ExistingFile(data: Data("x".utf8), mode: 0o600, ownerUID: 0)
        }
        store.files["/usr/local/bin/kubelet"] = ExistingFile(data: Data(), mode: 0o755, ownerUID: 0)
        return store
    }

    func testCompleteNodePassesAndCountsHealthyEtcd() throws {
        let etcd = EtcdHealthAnswers()
        etcd.answers["https://192.168.0.1:2379/health"] = (200, "{\"health\":\"true\",\"reason\":\"\"}")
        let outcome = try PreflightStep().run(try context(completeNode(), etcd: etcd))
        XCTAssertEqual(outcome.status, .done)
        XCTAssertTrue(outcome.message.contains("etcd 1/3 healthy"), outcome.message)
        XCTAssertTrue(outcome.message.contains("2 warning(s)"), outcome.message)
        XCTAssertEqual(etcd.requested.count, 3)
    }

    func testStrictMakesUnhealthyEtcdAnError() throws {
        let etcd = EtcdHealthAnswers()
        etcd.answers["https://192.168.0.1:2379/health"] = (503, "{\"health\":\"false\"}")
        XCTAssertThrowsError(try PreflightStep().run(try context(completeNode(), etcd: etcd, strict: true))) { error in
            XCTAssertTrue(
                "\(error)".contains("etcd https://192.168.0.1:2379 is not healthy: GET /health answered 503"),
                "\(error)")
            XCTAssertTrue("\(error)".contains("etcd https://192.168.0.2:2379 is not reachable"), "\(error)")
        }
    }

    func testEveryMissingPieceIsListedWithItsFix() throws {
        let store = InMemoryFileStore()
        store.files["/usr/local/bin/kubelet"] = ExistingFile(data: Data(), mode: 0o644, ownerUID: 0)
        store.files["/etc/kubernetes"] = ExistingFile(data: Data(), mode: 0o644, ownerUID: 0)
        XCTAssertThrowsError(try PreflightStep().run(try context(store, etcd: nil, root: false))) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("not running as root"), text)
            XCTAssertTrue(text.contains("etcd.caFile /etc/ssl/etcd/ca.crt does not exist"), text)
            XCTAssertTrue(text.contains("etcd.keyFile /etc/ssl/etcd/etcd-client.key does not exist"), text)
            XCTAssertTrue(text.contains("kubelet.binary /usr/local/bin/kubelet is not executable"), text)
            XCTAssertTrue(
                text.contains("kubelet.manifestDir /etc/kubernetes/manifests: /etc/kubernetes is a file"), text)
        }
    }

    // The modern API server trusts <pki.dir>/ca.crt (made by the certs step): a missing etcd CA is named once, as
    // etcd.caFile, not also as an apiServer.clientCAFile the modern profile does not use.
    func testModernNamesOnlyTheFilesItsAPIServerMounts() throws {
        let config = try ConfigLoader.load(
            yaml: TestSupport.fixtureText("modern-cluster.yaml"), file: "modern-cluster.yaml")
        let store = InMemoryFileStore()
        store.files["/usr/bin/kubelet"] = ExistingFile(data: Data(), mode: 0o755, ownerUID: 0)
        let context = BootstrapContext(
            config: config, node: config.masters[0], files: store, dryRun: false, logger: Logger(label: "t"),
            clock: ManualClock(), random: FixedRandom(), makeAPITransport: { throw UsageError("unused") })
        XCTAssertThrowsError(try PreflightStep().run(context)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("etcd.caFile /etc/kubernetes/pki/etcd/ca.crt does not exist"), text)
            XCTAssertTrue(
                text.contains("etcd.certFile /etc/kubernetes/pki/apiserver-etcd-client.crt does not exist"), text)
            XCTAssertFalse(text.contains("clientCAFile"), text)
        }
    }
}
