import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime

/// The etcd v3 JSON gateway client against a real etcd (Debian's etcd-server) over mutual TLS.
final class EtcdClientTests: XCTestCase {
    private func client(_ server: EtcdTestServer, endpoints: [String]? = nil) throws -> EtcdClient {
        EtcdClient(transport: try server.httpClient(), endpoints: endpoints ?? [server.endpoint])
    }

    func testRangeAndCreateIfAbsentAgainstRealEtcd() throws {
        let server = try EtcdTestServer(self)
        try server.start()
        let etcd = try client(server)
        let key = "/master-agent/test/secrets"
        XCTAssertNil(try etcd.get(key), "a missing key is nil, not an error")

        guard case .created(let revision) = try etcd.createIfAbsent(key, value: Data("first".utf8)) else {
            return XCTFail("the first create must win")
        }
        XCTAssertGreaterThan(revision, 0)
        guard case .exists(let winner) = try etcd.createIfAbsent(key, value: Data("second".utf8)) else {
            return XCTFail("the second create must lose")
        }
        XCTAssertEqual(winner.value, Data("first".utf8), "the loser learns the winner's value")
        let stored = try XCTUnwrap(try etcd.get(key))
        XCTAssertEqual(stored.value, Data("first".utf8))
        XCTAssertEqual(stored.version, 1, "written once")
        XCTAssertEqual(stored.createRevision, revision)
        XCTAssertEqual(stored.modRevision, revision)
        XCTAssertEqual(stored.key, key)
    }

    func testEndpointsAreTriedInTurn() throws {
        let server = try EtcdTestServer(self)
        try server.start()
        let dead = "https://127.0.0.1:\(try EtcdTestServer.freePort())"
        let etcd = try client(server, endpoints: [dead, server.endpoint])
        XCTAssertNil(try etcd.get("/x"))
        XCTAssertEqual(etcd.currentEndpoint, server.endpoint, "the answering endpoint is remembered")
    }

    func testUnavailableEtcdIsRetriedUntilTheDeadlineAndTheLastErrorNamed() throws {
        let server = try EtcdTestServer(self) // never started
        let etcd = try client(server)
        let clock = ManualClock()
        var waits: [Double] = []
        XCTAssertThrowsError(
            try etcd.retrying(
                until: clock.now() + 3, clock: clock, random: FixedRandom(0.5), onRetry: { waits.append($1) },
                { try etcd.get("/x") })
        ) {
            let error = $0 as! EtcdError
            XCTAssertEqual(error.code, .unavailable)
            XCTAssertTrue(error.deadlinePassed)
            XCTAssertTrue(error.description.contains(server.endpoint), error.description)
            XCTAssertTrue(error.description.contains("secrets.waitTimeout"), error.description)
        }
        XCTAssertGreaterThan(waits.count, 2)
        XCTAssertEqual(waits.reduce(0, +), 3, accuracy: 0.0001, "it waits up to the deadline, not past it")
        XCTAssertTrue(waits.allSatisfy { $0 <= 2 }, "\(waits)")
    }

    func testACertificateEtcdRefusesIsNotRetried() throws {
        let server = try EtcdTestServer(self)
        try server.start()
        let other = try TestSupport.makeTemporaryDirectory(self, name: "other-ca")
        let ca = try TestCA.make(in: other, subject: "/CN=not-etcds-ca", days: 1, keyType: .ecP256)
        let client = try HTTPClient(
            tls: HTTPTLSConfig(
                caFile: ca.cert, clientCertFile: server.clientCertFile, clientKeyFile: server.clientKeyFile),
            userAgent: "t")
        let etcd = EtcdClient(transport: client, endpoints: [server.endpoint])
        let clock = ManualClock()
        XCTAssertThrowsError(
            try etcd.retrying(until: clock.now() + 60, clock: clock, random: FixedRandom(0.5)) { try etcd.get("/x") }
        ) {
            XCTAssertEqual(($0 as? EtcdError)?.code, .rejected, "\($0)")
        }
        XCTAssertEqual(clock.sleeps, [], "a TLS failure is reported at once")
    }

    func testEtcdThatComesUpLaterIsFound() throws {
        let server = try EtcdTestServer(self)
        let etcd = try client(server)
        DispatchQueue.global().asyncAfter(deadline: .now() + 2) { try? server.start(waitUntilReady: false) }
        let clock = SystemClock()
        let started = clock.now()
        XCTAssertNil(
            try etcd.retrying(until: started + 30, clock: clock, random: SystemRandom()) { try etcd.get("/x") })
        XCTAssertGreaterThan(clock.now() - started, 1.9)
    }
}
