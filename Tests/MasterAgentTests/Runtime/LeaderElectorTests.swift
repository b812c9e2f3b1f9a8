import Foundation
import Logging
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

final class LeaderElectorTests: XCTestCase {
    private let leasePath = "/apis/coordination.k8s.io/v1/namespaces/default/leases/master-agent-bootstrap"
    private let endpointsPath = "/api/v1/namespaces/default/endpoints/master-agent-bootstrap"
    private let timings = try! LeaseTimings(leaseDuration: 15, renewInterval: 2)

    private func elector(_ api: InMemoryKubeAPI, _ clock: ManualClock, identity: String = "master01") throws
        -> LeaderElector
    {
        let client = KubernetesAPIClient(transport: api, baseURL: "http://127.0.0.1:8080/")
        let lock = try LockDiscovery.chooseLock(
            client: client, namespace: "default", name: "master-agent-bootstrap",
            logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
        return LeaderElector(
            lock: lock, identity: identity, timings: timings, clock: clock,
            wallClock: FixedWallClock(Date(timeIntervalSince1970: 1_795_557_600), following: clock),
            logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    private func otherHolder(_ holder: String, renewedAt seconds: Double = 0) -> LeaderElectionRecord {
        LeaderElectionRecord(
            holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: Date(timeIntervalSince1970: 1_795_557_600),
            renewTime: Date(timeIntervalSince1970: 1_795_557_600 + seconds), leaderTransitions: 0)
    }

    func testCreatesTheLeaseWhenNoneExists() throws {
        let api = InMemoryKubeAPI(), clock = ManualClock()
        let elector = try elector(api, clock)
        XCTAssertEqual(elector.lockKind, .lease)
        XCTAssertEqual(try elector.tryAcquireOrRenew(), .created)
        XCTAssertTrue(elector.isLeader)
        let spec = try XCTUnwrap(api.object(LeaseObject.self, at: leasePath)?.spec)
        XCTAssertEqual(spec.holderIdentity, "master01")
        XCTAssertEqual(spec.leaseDurationSeconds, 15)
        XCTAssertEqual(
            spec.renewTime?.count, "2026-11-24T22:00:00.000000Z".count,
            "MicroTime with six digits: \(spec.renewTime ?? "")")
        XCTAssertEqual(api.count(.post, "/apis/coordination.k8s.io/v1/namespaces/default/leases"), 1)
    }

    func testAlreadyExistsOnCreateMeansAnotherMasterWonAndWeFollowIt() throws {
        let api = InMemoryKubeAPI(), clock = ManualClock()
        let elector = try elector(api, clock)
        // master02 creates the Lease between our GET (404) and our POST.
        api.beforeRequest = { request, api in
            if request.method == .post { try? api.writeLease(self.otherHolder("master02")) }
            return nil
        }
        guard case .lostRace(let reason) = try elector.tryAcquireOrRenew() else {
            return XCTFail("expected a lost race")
        }
        XCTAssertTrue(reason.contains("already exists"), reason)
        api.beforeRequest = nil
        XCTAssertEqual(try elector.tryAcquireOrRenew(), .following(holder: "master02", expiresIn: 15))
        XCTAssertFalse(elector.isLeader)
    }

    func testFollowerTakesOverOnlyAfterALeaseDurationWithoutChangeSeenLocally() throws {
        let api = InMemoryKubeAPI(), clock = ManualClock()
        // master02's wall clock is an hour ahead: its renewTime must not matter.
        try api.writeLease(otherHolder("master02", renewedAt: 3600))
        let elector = try elector(api, clock)
        XCTAssertEqual(try elector.tryAcquireOrRenew(), .following(holder: "master02", expiresIn: 15))
        clock.advance(10)
        try api.writeLease(otherHolder("master02", renewedAt: 3610)) // master02 renews
        XCTAssertEqual(
            try elector.tryAcquireOrRenew(), .following(holder: "master02", expiresIn: 15),
            "a renewal restarts our count")
        clock.advance(14.9)
        guard case .following(_, let left) = try elector.tryAcquireOrRenew() else {
            return XCTFail("expected to follow")
        }
        XCTAssertEqual(left, 0.1, accuracy: 1e-9)
        let observedVersion = try XCTUnwrap(api.object(LeaseObject.self, at: leasePath)?.metadata.resourceVersion)
        clock.advance(0.1)
        guard case .tookOver(let previous, let unrenewedFor) = try elector.tryAcquireOrRenew() else {
            return XCTFail("expected takeover")
        }
        XCTAssertEqual(previous, "master02")
        XCTAssertEqual(unrenewedFor, 15, accuracy: 1e-9)
        let lease = try XCTUnwrap(api.object(LeaseObject.self, at: leasePath))
        XCTAssertEqual(lease.spec?.holderIdentity, "master01")
        XCTAssertEqual(lease.spec?.leaseTransitions, 1)
        let put = try XCTUnwrap(api.requests.last { $0.method == .put })
        let sent = try JSONDecoder().decode(LeaseObject.self, from: XCTUnwrap(put.body))
        XCTAssertEqual(
            sent.metadata.resourceVersion, observedVersion, "the takeover carries the resourceVersion we observed")
    }

    func testConflictOnAStaleResourceVersionLosesTheTakeover() throws {
        let api = InMemoryKubeAPI(), clock = ManualClock()
        try api.writeLease(otherHolder("master02"))
        let elector = try elector(api, clock)
        _ = try elector.tryAcquireOrRenew()
        clock.advance(16)
        // master03 takes over between our GET and our PUT.
        api.beforeRequest = { request, api in
            if request.method == .put { try? api.writeLease(self.otherHolder("master03", renewedAt: 16)) }
            return nil
        }
        guard case .lostRace(let reason) = try elector.tryAcquireOrRenew() else {
            return XCTFail("expected a lost race")
        }
        XCTAssertTrue(reason.contains("the object has been modified"), reason)
        XCTAssertFalse(elector.isLeader)
        api.beforeRequest = nil
        XCTAssertEqual(try elector.tryAcquireOrRenew(), .following(holder: "master03", expiresIn: 15))
    }

    func testRenewKeepsAcquireTimeAndMovesRenewTime() throws {
        let api = InMemoryKubeAPI(), clock = ManualClock()
        let elector = try elector(api, clock)
        _ = try elector.tryAcquireOrRenew()
        let first = try XCTUnwrap(api.object(LeaseObject.self, at: leasePath)?.spec)
        clock.advance(2)
        XCTAssertEqual(try elector.tryAcquireOrRenew(), .renewed)
        let second = try XCTUnwrap(api.object(LeaseObject.self, at: leasePath)?.spec)
        XCTAssertEqual(second.acquireTime, first.acquireTime)
        XCTAssertEqual(second.renewTime, "2026-11-24T22:00:02.000000Z")
        XCTAssertEqual(second.leaseTransitions, 0)
    }

    func testReleaseLetsAnotherMasterTakeOverAtOnce() throws {
        let api = InMemoryKubeAPI(), clock = ManualClock()
        let leader = try elector(api, clock)
        let follower = try elector(api, clock, identity: "master02")
        _ = try leader.tryAcquireOrRenew()
        XCTAssertEqual(try follower.tryAcquireOrRenew(), .following(holder: "master01", expiresIn: 15))
        XCTAssertTrue(leader.release())
        XCTAssertFalse(leader.isLeader)
        let spec = try XCTUnwrap(api.object(LeaseObject.self, at: leasePath)?.spec)
        XCTAssertEqual(spec.holderIdentity, "")
        XCTAssertEqual(spec.leaseDurationSeconds, 1)
        XCTAssertEqual(
            try follower.tryAcquireOrRenew(), .tookOver(previousHolder: "", unrenewedFor: 0),
            "no waiting after a release")
        XCTAssertEqual(try XCTUnwrap(api.object(LeaseObject.self, at: leasePath)?.spec).leaseTransitions, 1)
    }

    func testRenewLoopRenewsEveryIntervalUntilAnotherHolderAppears() throws {
        let api = InMemoryKubeAPI(), clock = ManualClock()
        let elector = try elector(api, clock)
        _ = try elector.tryAcquireOrRenew()
        let started = clock.now()
        api.beforeRequest = { request, api in
            // After three renewals, master02 overwrites the Lease (say, an operator forced it).
            if request.method == .get && api.count(.put, self.leasePath) == 3 {
                try? api.writeLease(self.otherHolder("master02"))
            }
            return nil
        }
        elector.renewWhileLeading(shouldStop: { false })
        XCTAssertEqual(api.count(.put, leasePath), 3)
        XCTAssertFalse(elector.isLeader)
        XCTAssertEqual(clock.now() - started, 8, accuracy: 1e-9, "renewals at 2, 4, 6; the lost one at 8")
        XCTAssertTrue(clock.sleeps.allSatisfy { $0 <= 0.05 + 1e-12 }, "waits in short slices so stop is prompt")
    }

    func testRenewLoopGivesUpWhenNoRenewalSucceedsForALeaseDuration() throws {
        let api = InMemoryKubeAPI(), clock = ManualClock()
        let elector = try elector(api, clock)
        _ = try elector.tryAcquireOrRenew()
        let started = clock.now()
        api.beforeRequest = { _, _ in InMemoryKubeAPI.status(503, "ServiceUnavailable", "etcd is down") }
        elector.renewWhileLeading(shouldStop: { false })
        XCTAssertFalse(elector.isLeader)
        XCTAssertEqual(clock.now() - started, 16, accuracy: 1e-9, "the first failed attempt at or after 15 s ends it")
    }

    func testRenewLoopStopsWhenAsked() throws {
        let api = InMemoryKubeAPI(), clock = ManualClock()
        let elector = try elector(api, clock)
        _ = try elector.tryAcquireOrRenew()
        let started = clock.now()
        elector.renewWhileLeading(shouldStop: { clock.now() - started >= 5 })
        XCTAssertEqual(api.count(.put, leasePath), 2)
        XCTAssertTrue(elector.isLeader, "stopping is not losing the lease; release does that")
    }

    func testBackgroundRenewerRenewsOnItsThreadAndStopsWhenAsked() throws {
        // Real time on purpose: the renewer's thread is what is under test. 50 ms renewals: three of them
        // come within 150 ms; the deadline is only for a machine that never gets there.
        let api = InMemoryKubeAPI()
        let client = KubernetesAPIClient(transport: api, baseURL: "http://127.0.0.1:8080/")
        let logger = Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() })
        let lock = try LockDiscovery.chooseLock(
            client: client, namespace: "default", name: "master-agent-bootstrap", logger: logger)
        let elector = LeaderElector(
            lock: lock, identity: "master01", timings: try LeaseTimings(leaseDuration: 1, renewInterval: 0.05),
            clock: SystemClock(), wallClock: SystemWallClock(), logger: logger)
        XCTAssertEqual(try elector.tryAcquireOrRenew(), .created)
        // The API double's request log is not thread-safe: while the renewer runs, its PUTs are counted
        // here, under a lock, from the hook that runs before each request (on the renewer's thread).
        final class PutCounter: @unchecked Sendable {
            private let lock = NSLock()
            private var count = 0
            var value: Int { lock.lock(); defer { lock.unlock() }; return count }
            func increment() { lock.lock(); count += 1; lock.unlock() }
        }
        let puts = PutCounter(), renewedPath = leasePath, putsBefore = api.count(.put, leasePath)
        api.beforeRequest = { request, _ in
            if request.method == .put && InMemoryKubeAPI.path(of: request.url) == renewedPath { puts.increment() }
            return nil
        }
        let renewer = LeaseRenewer(elector: elector)
        waitUntil(timeout: 10, "three lease renewals on the renewer's thread") { putsBefore + puts.value >= 3 }
        renewer.stop()
        // stop() joined the thread, so the API double is ours alone from here on.
        let renewals = api.count(.put, leasePath)
        XCTAssertGreaterThanOrEqual(renewals, 3)
        // Four renewal intervals in which a renewer that outlived stop() would have renewed.
        assertHolds(for: 0.2, "no renewal after stop() returned") { putsBefore + puts.value == renewals }
        XCTAssertEqual(api.count(.put, leasePath), renewals, "no renewal after stop() returned")
        XCTAssertTrue(elector.isLeader)
        renewer.stop() // a second stop is a no-op
    }

    func testLegacyServerGetsTheEndpointsLockWithTheAnnotation() throws {
        let api = InMemoryKubeAPI(legacy: true), clock = ManualClock()
        let elector = try elector(api, clock)
        XCTAssertEqual(elector.lockKind, .endpoints)
        XCTAssertEqual(elector.lockDescription, "Endpoints default/master-agent-bootstrap")
        XCTAssertEqual(try elector.tryAcquireOrRenew(), .created)
        let endpoints = try XCTUnwrap(api.object(EndpointsObject.self, at: endpointsPath))
        let value = try XCTUnwrap(endpoints.metadata.annotations?["control-plane.alpha.kubernetes.io/leader"])
        XCTAssertEqual(try LeaderElectionRecord.fromAnnotation(value, object: "e").holderIdentity, "master01")
        clock.advance(2)
        XCTAssertEqual(try elector.tryAcquireOrRenew(), .renewed)
        XCTAssertTrue(elector.release())
        let released = try XCTUnwrap(api.object(EndpointsObject.self, at: endpointsPath)?.snapshot().record)
        XCTAssertEqual(released.holderIdentity, "")
        XCTAssertEqual(released.leaseDurationSeconds, 1)
    }

    func testDiscoveryFailureIsReportedWithTheServerAnswer() {
        let api = InMemoryKubeAPI()
        api.beforeRequest = { _, _ in
            InMemoryKubeAPI.status(403, "Forbidden", "forbidden: User \"system:anonymous\" cannot get path")
        }
        let client = KubernetesAPIClient(transport: api, baseURL: "http://127.0.0.1:8080")
        XCTAssertThrowsError(
            try LockDiscovery.chooseLock(
                client: client, namespace: "default", name: "l",
                logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
        ) { error in
            XCTAssertEqual((error as? ElectionError)?.code, .discovery)
            XCTAssertTrue("\(error)".contains("403"), "\(error)")
        }
    }
}
