import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

final class LeaseDecisionTests: XCTestCase {
    private let wall = Date(timeIntervalSince1970: 1_795_557_600)
    private let timings = try! LeaseTimings(leaseDuration: 15, renewInterval: 2)

    private func record(_ holder: String, duration: Int = 15, transitions: Int = 2, acquired: Double = -100)
        -> LeaderElectionRecord
    {
        LeaderElectionRecord(
            holderIdentity: holder, leaseDurationSeconds: duration, acquireTime: wall.addingTimeInterval(acquired),
            renewTime: wall.addingTimeInterval(-1), leaderTransitions: transitions)
    }

    private func observation(_ record: LeaderElectionRecord, rv: String = "7", at observedAt: Double)
        -> LeaseObservation
    {
        LeaseObservation(snapshot: LockSnapshot(record: record, resourceVersion: rv), observedAt: observedAt)
    }

    /// One row: what was observed and when, the local time now, and the expected decision kind.
    private struct Row {
        let name: String
        let observed: LeaderElectionRecord?
        let observedAt: Double
        let now: Double
        let expect: String
    }

    func testDecisionTable() {
        let rows = [
            Row(name: "no lock object -> create", observed: nil, observedAt: 0, now: 50, expect: "create"),
            Row(
                name: "other holder just seen -> wait", observed: record("master02"), observedAt: 100, now: 100,
                expect: "wait master02 until 115"),
            Row(
                name: "other holder, 14.9 s unchanged -> wait", observed: record("master02"), observedAt: 100,
                now: 114.9, expect: "wait master02 until 115"),
            Row(
                name: "other holder, exactly lease duration unchanged -> take over", observed: record("master02"),
                observedAt: 100, now: 115, expect: "takeOver from master02"),
            Row(
                name: "other holder, long unchanged -> take over", observed: record("master02"), observedAt: 100,
                now: 500, expect: "takeOver from master02"),
            Row(
                name: "record's own duration counts, not ours", observed: record("master02", duration: 40),
                observedAt: 100, now: 130, expect: "wait master02 until 140"),
            Row(
                name: "released (empty holder) -> take over at once", observed: record("", duration: 1),
                observedAt: 100, now: 100, expect: "takeOver from "),
            Row(name: "we hold it -> renew", observed: record("master01"), observedAt: 100, now: 101, expect: "renew"),
            Row(
                name: "we hold it even after a long pause -> renew", observed: record("master01"), observedAt: 100,
                now: 900, expect: "renew"),
        ]
        for row in rows {
            let decision = LeaseDecision.decide(
                observation: row.observed.map { observation($0, at: row.observedAt) }, now: row.now,
                wallNow: wall, identity: "master01", timings: timings)
            XCTAssertEqual(describe(decision), row.expect, row.name)
        }
    }

    private func describe(_ decision: LeaseDecision) -> String {
        switch decision {
        case .create: return "create"
        case .renew: return "renew"
        case .takeOver(_, _, let previous): return "takeOver from \(previous)"
        case .wait(let holder, let until): return "wait \(holder) until \(Int(until))"
        }
    }

    func testRecordsWrittenByEachDecision() {
        let create = LeaseDecision.decide(
            observation: nil, now: 0, wallNow: wall, identity: "master01", timings: timings)
        XCTAssertEqual(
            create,
            .create(
                LeaderElectionRecord(
                    holderIdentity: "master01", leaseDurationSeconds: 15, acquireTime: wall,
                    renewTime: wall, leaderTransitions: 0)))
        let held = record("master01", transitions: 4, acquired: -60)
        guard
            case .renew(let renewed, let rv) = LeaseDecision.decide(
                observation: observation(held, rv: "41", at: 0), now: 1,
                wallNow: wall, identity: "master01", timings: timings)
        else {
            return XCTFail("expected renew")
        }
        XCTAssertEqual(rv, "41")
        XCTAssertEqual(renewed.acquireTime, held.acquireTime, "renewing keeps acquireTime")
        XCTAssertEqual(renewed.renewTime, wall)
        XCTAssertEqual(renewed.leaderTransitions, 4, "renewing is no transition")
        guard
            case .takeOver(let taken, let takenRV, _) = LeaseDecision.decide(
                observation: observation(record("master02", transitions: 4), rv: "42", at: 0),
                now: 20, wallNow: wall, identity: "master01", timings: timings)
        else {
            return XCTFail("expected takeOver")
        }
        XCTAssertEqual(takenRV, "42", "a takeover carries the observed resourceVersion")
        XCTAssertEqual(
            taken,
            LeaderElectionRecord(
                holderIdentity: "master01", leaseDurationSeconds: 15, acquireTime: wall, renewTime: wall,
                leaderTransitions: 5))
        let released = LeaseDecision.release(of: observation(held, at: 0), wallNow: wall)
        XCTAssertEqual(released.holderIdentity, "")
        XCTAssertEqual(released.leaseDurationSeconds, 1)
        XCTAssertEqual(released.leaderTransitions, 4)
    }

    func testObservationTimeMovesOnlyWhenTheRecordChanges() {
        let first = LeaseObservation.after(
            nil, reading: LockSnapshot(record: record("master02"), resourceVersion: "5"), at: 10)
        XCTAssertEqual(first.observedAt, 10)
        // Same record under a new resourceVersion (an unrelated write): still the old observation time.
        let same = LeaseObservation.after(
            first, reading: LockSnapshot(record: record("master02"), resourceVersion: "6"), at: 20)
        XCTAssertEqual(same.observedAt, 10)
        XCTAssertEqual(same.snapshot.resourceVersion, "6")
        var renewed = record("master02")
        renewed.renewTime = wall.addingTimeInterval(5)
        let changed = LeaseObservation.after(same, reading: LockSnapshot(record: renewed, resourceVersion: "7"), at: 24)
        XCTAssertEqual(changed.observedAt, 24)
        XCTAssertEqual(changed.expiresAt, 39)
    }

    func testHolderClockSkewNeverDecides() {
        // The holder's renewTime is an hour in the past or the future: only our observation time counts.
        for skew in [-3600.0, 3600.0] {
            var skewed = record("master02")
            skewed.renewTime = wall.addingTimeInterval(skew)
            let decision = LeaseDecision.decide(
                observation: observation(skewed, at: 100), now: 101, wallNow: wall,
                identity: "master01", timings: timings)
            XCTAssertEqual(decision, .wait(holder: "master02", until: 115), "skew \(skew)")
        }
    }

    func testTimingsAreValidatedWithBothValuesNamed() {
        let table: [(Double, Double, LeaseTimingsError.Code?, String)] = [
            (15, 2, nil, ""),
            (3, 1, nil, ""),
            (
                15, 15, .renewIntervalNotShorter,
                "election.renewInterval (15s) must be shorter than election.leaseDuration (15s)"
            ),
            (
                2, 5, .renewIntervalNotShorter,
                "election.renewInterval (5s) must be shorter than election.leaseDuration (2s)"
            ),
            (
                15, 0, .renewIntervalNotPositive,
                "election.renewInterval (0s) must be greater than zero, with election.leaseDuration (15s)"
            ),
            (
                0.5, 0.1, .leaseDuration,
                "election.leaseDuration (0.5s) must be a whole number of seconds, at least 1s, with election.renewInterval (0.1s)"
            ),
            (2.5, 1, .leaseDuration, "election.leaseDuration (2.5s)"),
        ]
        for (lease, renew, code, words) in table {
            do {
                let timings = try LeaseTimings(leaseDuration: lease, renewInterval: renew)
                XCTAssertNil(code, "\(lease)/\(renew) should fail")
                XCTAssertEqual(timings.leaseDurationSeconds, Int(lease))
            } catch let error as LeaseTimingsError {
                XCTAssertEqual(error.code, code, "\(lease)/\(renew)")
                XCTAssertTrue(error.description.contains(words), error.description)
            } catch {
                XCTFail("\(error)")
            }
        }
    }

    func testFollowerPollIntervalNoticesALapseWellWithinARenewInterval() throws {
        XCTAssertEqual(try LeaseTimings(leaseDuration: 15, renewInterval: 2).followerPollInterval, 2)
        XCTAssertEqual(try LeaseTimings(leaseDuration: 3, renewInterval: 1).followerPollInterval, 0.5)
        XCTAssertEqual(try LeaseTimings(leaseDuration: 1, renewInterval: 0.05).followerPollInterval, 0.1)
    }
}
