import Foundation
import Logging
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// The election and namespace steps against the in-memory API in virtual time (no background thread).
final class NamespaceStepTests: XCTestCase {
    private let leasePath = "/apis/coordination.k8s.io/v1/namespaces/default/leases/master-agent-bootstrap"

    private func context(_ api: InMemoryKubeAPI, _ clock: ManualClock, node: Int = 0) throws -> BootstrapContext {
        let config = try TestSupport.seedConfig() // election defaults: 15s lease, 2s renew
        let context = BootstrapContext(
            config: config, node: config.masters[node], files: InMemoryFileStore(), dryRun: false,
            logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }),
            clock: clock, random: FixedRandom(0.5), makeAPITransport: { api })
        context.wallClock = FixedWallClock(following: clock)
        return context
    }

    private func bothSteps(_ context: BootstrapContext) throws -> (StepOutcome, StepOutcome) {
        (
            try ElectionStep(renewInBackground: false).run(context),
            try NamespaceStep(renewInBackground: false).run(context)
        )
    }

    private func otherHolder(_ holder: String) -> LeaderElectionRecord {
        LeaderElectionRecord(
            holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: Date(timeIntervalSince1970: 1_795_557_600),
            renewTime: Date(timeIntervalSince1970: 1_795_557_600), leaderTransitions: 0)
    }

    func testLeaderCreatesKubeSystemAndReleasesTheLock() throws {
        let api = InMemoryKubeAPI(), clock = ManualClock()
        let (election, namespace) = try bothSteps(try context(api, clock))
        XCTAssertEqual(election.status, .changed)
        XCTAssertEqual(election.message, "master01 leads: acquired Lease default/master-agent-bootstrap by creating it")
        XCTAssertEqual(namespace.status, .changed)
        XCTAssertEqual(namespace.message, "master01 led and created kube-system (201 Created)")
        XCTAssertEqual(api.count(.post, "/api/v1/namespaces"), 1)
        let body = try XCTUnwrap(
            api.requests.first { $0.method == .post && $0.url.hasSuffix("/api/v1/namespaces") }?.body)
        XCTAssertEqual(
            String(decoding: body, as: UTF8.self),
            #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"kube-system"}}"#)
        XCTAssertEqual(try api.object(LeaseObject.self, at: leasePath)?.spec?.holderIdentity, "", "released at the end")
    }

    func testElectionWithoutTheNamespaceStepReleasesTheLockWhenTheRunEnds() throws {
        let api = InMemoryKubeAPI(), clock = ManualClock()
        let context = try context(api, clock)
        let bootstrapper = Bootstrapper(
            runners: [.election: ElectionStep(renewInBackground: false)], now: { clock.now() })
        let summary = bootstrapper.run([.election], context: context, prior: [], report: { _ in })
        XCTAssertEqual(summary.outcomes.map(\.status), [.changed], "\(summary.outcomes)")
        XCTAssertEqual(
            try api.object(LeaseObject.self, at: leasePath)?.spec?.holderIdentity, "", "released when the run ends")
        XCTAssertNil(context.election)
    }

    func testAlreadyExistsOnCreateIsSuccess() throws {
        let api = InMemoryKubeAPI(), clock = ManualClock()
        // Someone (an operator, another tool) creates kube-system between our GET and our POST.
        api.beforeRequest = { request, api in
            if request.method == .post && request.url.hasSuffix("/api/v1/namespaces") {
                api.store("/api/v1/namespaces/kube-system", ["metadata": ["name": "kube-system"]])
            }
            return nil
        }
        let (_, namespace) = try bothSteps(try context(api, clock))
        XCTAssertEqual(namespace.status, .unchanged)
        XCTAssertEqual(namespace.message, "master01 led; kube-system already existed (409 AlreadyExists)")
    }

    func testExistingKubeSystemMeansNothingIsCreated() throws {
        let api = InMemoryKubeAPI(kubeSystem: true), clock = ManualClock()
        let (election, namespace) = try bothSteps(try context(api, clock))
        XCTAssertEqual(election.status, .unchanged)
        XCTAssertEqual(election.message, "kube-system already exists: no leader is needed, the lock was not touched")
        XCTAssertEqual(namespace.status, .unchanged)
        XCTAssertEqual(namespace.message, "kube-system exists; nothing to create")
        XCTAssertEqual(api.count(.post, "/api/v1/namespaces"), 0)
        XCTAssertEqual(
            api.count(.post, "/apis/coordination.k8s.io/v1/namespaces/default/leases"), 0,
            "a converged cluster's lock is left alone")
        XCTAssertEqual(api.count(.put, leasePath), 0)
    }

    func testNamespaceStepAloneOnAClusterWithKubeSystemCreatesNothing() throws {
        let api = InMemoryKubeAPI(kubeSystem: true), clock = ManualClock()
        let outcome = try NamespaceStep(renewInBackground: false).run(try context(api, clock))
        XCTAssertEqual(outcome.status, .unchanged)
        XCTAssertEqual(outcome.message, "kube-system exists; nothing to create")
        XCTAssertEqual(api.count(.post, "/api/v1/namespaces"), 0)
        XCTAssertEqual(api.count(.put, leasePath), 0)
    }

    func testFollowerWaitsForTheLeadersNamespaceAndSaysHowLong() throws {
        let api = InMemoryKubeAPI(), clock = ManualClock()
        try api.writeLease(otherHolder("master02"))
        var polls = 0
        api.beforeRequest = { request, api in
            if request.method == .get && request.url.hasSuffix("/namespaces/kube-system") {
                polls += 1
                // master02 renews as a live leader does and creates kube-system after a few polls
                // (the first GET is the election step's check for an already converged cluster).
                if polls % 2 == 0 { try? api.writeLease(self.otherHolder("master02")) }
                if polls == 5 { api.store("/api/v1/namespaces/kube-system", ["metadata": ["name": "kube-system"]]) }
            }
            return nil
        }
        let (election, namespace) = try bothSteps(try context(api, clock))
        XCTAssertEqual(election.status, .done)
        XCTAssertTrue(
            election.message.hasPrefix("master02 leads (Lease default/master-agent-bootstrap); master01 follows"),
            election.message)
        XCTAssertEqual(
            namespace.message, "kube-system exists; master01 followed master02 and waited 6.0s, created nothing")
        XCTAssertEqual(clock.sleeps, [2, 2, 2], "polls at the follower interval (2 s for a 15 s lease)")
        XCTAssertEqual(api.count(.post, "/api/v1/namespaces"), 0)
        XCTAssertEqual(api.count(.put, leasePath), 0, "a follower never writes the lock while it is held")
    }

    func testFollowerTakesOverWhenTheLeaderStopsRenewingAndCreatesKubeSystem() throws {
        let api = InMemoryKubeAPI(), clock = ManualClock()
        try api.writeLease(otherHolder("master02")) // and master02 never renews: it died
        let (election, namespace) = try bothSteps(try context(api, clock))
        XCTAssertEqual(election.status, .done)
        XCTAssertEqual(namespace.status, .changed)
        XCTAssertEqual(
            namespace.message,
            "master01 led and created kube-system (201 Created); took over from master02, whose lease went unrenewed for 16.0s"
        )
        XCTAssertEqual(clock.sleeps.reduce(0, +), 16, "taken over on the first poll at or after 15 s")
        XCTAssertEqual(api.count(.post, "/api/v1/namespaces"), 1)
    }

    func testGivesUpAfterTheTimeoutNamingTheLastProblem() throws {
        let api = InMemoryKubeAPI(), clock = ManualClock()
        let context = try context(api, clock, node: 1)
        _ = try ElectionStep(renewInBackground: false).run(context)
        XCTAssertTrue(context.election?.elector.isLeader ?? false)
        api.beforeRequest = { request, _ in
            request.url.hasSuffix("/api/v1/namespaces/kube-system") || request.url.hasSuffix("/api/v1/namespaces")
                ? InMemoryKubeAPI.status(503, "ServiceUnavailable", "etcd leader changed") : nil
        }
        XCTAssertThrowsError(try NamespaceStep(renewInBackground: false, timeout: 10).run(context)) { error in
            XCTAssertEqual((error as? ElectionError)?.code, .timedOut)
            XCTAssertTrue("\(error)".contains("etcd leader changed"), "\(error)")
        }
    }

    func testDryRunTouchesNothing() throws {
        let api = InMemoryKubeAPI(), clock = ManualClock()
        let config = try TestSupport.seedConfig()
        let context = BootstrapContext(
            config: config, node: config.masters[0], files: InMemoryFileStore(), dryRun: true,
            logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }),
            clock: clock, random: FixedRandom(0.5), makeAPITransport: { api })
        let (election, namespace) = try bothSteps(context)
        XCTAssertEqual(election.status, .skipped)
        XCTAssertEqual(namespace.status, .skipped)
        XCTAssertTrue(api.requests.isEmpty)
    }
}
