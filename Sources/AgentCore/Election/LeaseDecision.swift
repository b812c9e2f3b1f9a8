import FoundationEssentials

/// What to do with the lock after looking at it, decided by `LeaseDecision.decide` (client-go's
/// `tryAcquireOrRenew`, minus the I/O).
package enum LeaseDecision: Equatable, Sendable {
    /// No lock object exists: create one naming us (409 AlreadyExists means someone was faster).
    case create(LeaderElectionRecord)
    /// We hold the lock: write a fresh renewTime with the observed resourceVersion.
    case renew(LeaderElectionRecord, resourceVersion: String)
    /// The lock is released or its holder let it lapse: update it with the observed resourceVersion
    /// (409 Conflict means someone else changed it first). `previousHolder` is "" for a released lock.
    case takeOver(LeaderElectionRecord, resourceVersion: String, previousHolder: String)
    /// Another holder's lease is still valid as seen here: wait until local time `until`.
    case wait(holder: String, until: Double)

    /// Decides from what this agent observed. `observation` is nil when the lock object does not exist;
    /// `now` is local monotonic time, `wallNow` only goes into the record for people to read.
    package static func decide(
        observation: LeaseObservation?, now: Double, wallNow: Date, identity: String,
        timings: LeaseTimings
    ) -> LeaseDecision {
        // 1. No lock object yet: try to create it, naming ourselves.
        guard let observation else {
            return .create(
                LeaderElectionRecord(
                    holderIdentity: identity, leaseDurationSeconds: timings.leaseDurationSeconds,
                    acquireTime: wallNow, renewTime: wallNow, leaderTransitions: 0))
        }
        let old = observation.snapshot.record
        let version = observation.snapshot.resourceVersion
        let holdsIt = old.holderIdentity == identity

        // 2. Someone else holds it and, by our own clock since we last saw the record change, the lease
        //    has not run out: follow. (The caller has already folded the latest read into `observation`.)
        if !old.isReleased && !holdsIt && now < observation.expiresAt {
            return .wait(holder: old.holderIdentity, until: observation.expiresAt)
        }

        // 3. We hold it: renew, keeping when we acquired it and the transition count.
        if holdsIt {
            return .renew(
                LeaderElectionRecord(
                    holderIdentity: identity, leaseDurationSeconds: timings.leaseDurationSeconds,
                    acquireTime: old.acquireTime ?? wallNow, renewTime: wallNow,
                    leaderTransitions: old.leaderTransitions),
                resourceVersion: version)
        }

        // 4. Released, or lapsed as seen here: take it over with the resourceVersion we observed, so a
        //    concurrent taker makes one of us fail with 409 Conflict.
        return .takeOver(
            LeaderElectionRecord(
                holderIdentity: identity, leaseDurationSeconds: timings.leaseDurationSeconds,
                acquireTime: wallNow, renewTime: wallNow,
                leaderTransitions: old.leaderTransitions + 1),
            resourceVersion: version, previousHolder: old.holderIdentity)
    }

    /// The record to write when the leader lets go: no holder and a 1 s lease, so followers take over
    /// at once instead of waiting out the full duration (client-go's `release`).
    package static func release(of observation: LeaseObservation, wallNow: Date) -> LeaderElectionRecord {
        LeaderElectionRecord(
            holderIdentity: "", leaseDurationSeconds: 1, acquireTime: wallNow, renewTime: wallNow,
            leaderTransitions: observation.snapshot.record.leaderTransitions)
    }
}
