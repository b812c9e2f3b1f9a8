import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

final class LockEncodingTests: XCTestCase {
    private let record = LeaderElectionRecord(
        holderIdentity: "master01", leaseDurationSeconds: 15,
        acquireTime: Date(timeIntervalSince1970: 1_795_557_600),
        renewTime: Date(timeIntervalSince1970: 1_795_557_602.25), leaderTransitions: 3)

    private func json(_ value: some Encodable) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: JSONEncoder().encode(value)) as! [String: Any]
    }

    func testLeaseCarriesTheRecordAsMicroTime() throws {
        let lease = try json(
            LeaseObject(name: "master-agent-bootstrap", namespace: "default", resourceVersion: "9", record: record))
        XCTAssertEqual(lease["apiVersion"] as? String, "coordination.k8s.io/v1")
        XCTAssertEqual(lease["kind"] as? String, "Lease")
        let meta = lease["metadata"] as! [String: Any]
        XCTAssertEqual(meta["name"] as? String, "master-agent-bootstrap")
        XCTAssertEqual(meta["namespace"] as? String, "default")
        XCTAssertEqual(meta["resourceVersion"] as? String, "9")
        let spec = lease["spec"] as! [String: Any]
        XCTAssertEqual(spec["holderIdentity"] as? String, "master01")
        XCTAssertEqual(spec["leaseDurationSeconds"] as? Int, 15)
        XCTAssertEqual(spec["acquireTime"] as? String, "2026-11-24T22:00:00.000000Z")
        XCTAssertEqual(spec["renewTime"] as? String, "2026-11-24T22:00:02.250000Z")
        XCTAssertEqual(spec["leaseTransitions"] as? Int, 3)
        let create = try json(LeaseObject(name: "x", namespace: "default", resourceVersion: nil, record: record))
        XCTAssertNil((create["metadata"] as! [String: Any])["resourceVersion"], "a create sends no resourceVersion")
    }

    func testLeaseFromTheServerGivesItsSnapshot() throws {
        let body = """
            {"kind":"Lease","apiVersion":"coordination.k8s.io/v1","metadata":{"name":"master-agent-bootstrap","namespace":"default",
             "resourceVersion":"12","uid":"u"},"spec":{"holderIdentity":"master01","leaseDurationSeconds":15,
             "acquireTime":"2026-11-24T22:00:00.000000Z","renewTime":"2026-11-24T22:00:02.250000Z","leaseTransitions":3}}
            """
        let snapshot = try JSONDecoder().decode(LeaseObject.self, from: Data(body.utf8)).snapshot()
        XCTAssertEqual(snapshot, LockSnapshot(record: record, resourceVersion: "12"))
        let empty = try JSONDecoder().decode(
            LeaseObject.self,
            from: Data(
                #"{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"l","resourceVersion":"1"},"spec":{}}"#
                    .utf8)
        ).snapshot()
        XCTAssertTrue(empty.record.isReleased)
        let bad =
            #"{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"l","namespace":"default"},"spec":{"renewTime":"yesterday"}}"#
        XCTAssertThrowsError(try JSONDecoder().decode(LeaseObject.self, from: Data(bad.utf8)).snapshot()) { error in
            XCTAssertEqual((error as? LockRecordError)?.code, .malformedLeaseTime)
            XCTAssertTrue("\(error)".contains("lease default/l: spec.renewTime \"yesterday\""), "\(error)")
        }
    }

    func testEndpointsAnnotationHoldsClientGoRecordJSON() throws {
        let endpoints = EndpointsObject(
            name: "master-agent-bootstrap", namespace: "default", resourceVersion: "5", record: record,
            existing: ObjectMeta(name: "master-agent-bootstrap", annotations: ["other": "kept"]))
        let annotations = endpoints.metadata.annotations!
        XCTAssertEqual(annotations["other"], "kept")
        let value = annotations["control-plane.alpha.kubernetes.io/leader"]!
        XCTAssertEqual(
            value,
            #"{"acquireTime":"2026-11-24T22:00:00.000000Z","holderIdentity":"master01","leaderTransitions":3,"leaseDurationSeconds":15,"renewTime":"2026-11-24T22:00:02.250000Z"}"#
        )
        XCTAssertEqual(try endpoints.snapshot(), LockSnapshot(record: record, resourceVersion: "5"))
        // What client-go of the v1.2 era wrote: whole-second metav1.Time.
        let old =
            #"{"holderIdentity":"master02","leaseDurationSeconds":15,"acquireTime":"2016-04-01T10:00:00Z","renewTime":"2016-04-01T10:00:05Z","leaderTransitions":0}"#
        let parsed = try LeaderElectionRecord.fromAnnotation(old, object: "endpoints default/x")
        XCTAssertEqual(parsed.holderIdentity, "master02")
        XCTAssertEqual(parsed.renewTime.map(MicroTime.format), "2016-04-01T10:00:05.000000Z")
        XCTAssertThrowsError(try LeaderElectionRecord.fromAnnotation("not json", object: "endpoints default/x")) {
            error in
            XCTAssertEqual((error as? LockRecordError)?.code, .malformedAnnotation)
        }
        let bare = EndpointsObject(name: "e", namespace: "default", resourceVersion: "1", record: record)
        var withoutAnnotation = bare
        withoutAnnotation.metadata.annotations = nil
        XCTAssertTrue(
            try withoutAnnotation.snapshot().record.isReleased, "Endpoints without the annotation hold no leader")
    }

    func testNamespaceCreateBodyIsTheMinimalObject() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        XCTAssertEqual(
            String(decoding: try encoder.encode(NamespaceObject(name: "kube-system")), as: UTF8.self),
            #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"kube-system"}}"#)
    }
}
