import AgentCore
import Foundation
import Logging
import Synchronization

/// Runs client-go-style leader election on one `ResourceLock`: acquire by create, take over a lapsed
/// lease by a conditional update, renew while leading, release at the end. Decisions come from
/// `LeaseDecision`; this type does the I/O. Safe to call from the step's thread and a `LeaseRenewer`
/// thread at once: rounds are serialized.
package final class LeaderElector {
    /// Our holder identity (the node name).
    package let identity: String
    /// Lease duration and renew interval.
    package let timings: LeaseTimings
    private let lock: ResourceLock
    private let clock: MonotonicClock
    private let wallClock: WallClock
    private let logger: Logger
    // Serializes rounds and guards `leading` and `observation` (the renewer thread runs rounds too).
    private let mutex = Mutex(())
    private var observation: LeaseObservation?
    private var leading = false

    /// An elector for `identity` on `lock`; `clock` judges expiry, `wallClock` only stamps records.
    package init(
        lock: ResourceLock, identity: String, timings: LeaseTimings, clock: MonotonicClock, wallClock: WallClock,
        logger: Logger
    ) {
        self.lock = lock
        self.identity = identity
        self.timings = timings
        self.clock = clock
        self.wallClock = wallClock
        self.logger = logger
    }

    /// The lock kind in use.
    package var lockKind: LockKind { lock.kind }
    /// The lock object for messages, e.g. `Lease default/master-agent-bootstrap`.
    package var lockDescription: String { lock.objectDescription }

    /// True while we hold the lock as far as we know.
    package var isLeader: Bool { mutex.withLock { _ in leading } }

    /// The holder named in the record we last saw ("" when released, nil before the first look).
    package var observedHolder: String? { mutex.withLock { _ in observation?.snapshot.record.holderIdentity } }

    /// One round: read the lock, decide, and create/renew/take over when the decision says so.
    /// 409 AlreadyExists/Conflict end as `.lostRace`; other failures throw (`APIError`, `HTTPTransportFailure`, `LockRecordError`).
    package func tryAcquireOrRenew() throws -> ElectionRound {
        try mutex.withLock { _ in try round() }
    }

    private func round() throws -> ElectionRound {
        let now = clock.now()
        if let snapshot = try lock.get() {
            observation = LeaseObservation.after(observation, reading: snapshot, at: now)
        } else {
            observation = nil
        }
        let decision = LeaseDecision.decide(
            observation: observation, now: now, wallNow: wallClock.wallNow(),
            identity: identity, timings: timings)
        do {
            switch decision {
            case .wait(let holder, let until):
                leading = false
                return .following(holder: holder, expiresIn: until - now)
            case .create(let record):
                observation = LeaseObservation(snapshot: try lock.create(record), observedAt: clock.now())
                leading = true
                logger.info(
                    "acquired the election lock by creating it",
                    metadata: ["lock": "\(lock.objectDescription)", "holder": "\(identity)"])
                return .created
            case .renew(let record, let version):
                observation = LeaseObservation(
                    snapshot: try lock.update(record, resourceVersion: version), observedAt: clock.now())
                leading = true
                logger.debug("renewed the election lock", metadata: ["lock": "\(lock.objectDescription)"])
                return .renewed
            case .takeOver(let record, let version, let previous):
                let unrenewedFor = previous.isEmpty ? 0 : now - (observation?.observedAt ?? now)
                observation = LeaseObservation(
                    snapshot: try lock.update(record, resourceVersion: version), observedAt: clock.now())
                leading = true
                logger.info(
                    "took over the election lock",
                    metadata: [
                        "lock": "\(lock.objectDescription)",
                        "previousHolder": "\(previous.isEmpty ? "(released)" : previous)",
                        "unrenewedForSeconds": "\(String(format: "%.1f", unrenewedFor))",
                    ])
                return .tookOver(previousHolder: previous, unrenewedFor: unrenewedFor)
            }
        } catch let error as APIError where error.statusReason == .alreadyExists || error.statusReason == .conflict {
            // Another master wrote first; forget what we saw so the next round reads the winner's record.
            leading = false
            logger.info(
                "lost the race for the election lock",
                metadata: ["lock": "\(lock.objectDescription)", "reason": "\(error.reason ?? "")"])
            return .lostRace(reason: error.status?.message ?? error.description)
        }
    }

    /// Lets go of the lock if we hold it: empty holder, 1 s lease, so followers take over at once.
    /// Returns false (after logging) when the update failed; the lease then simply lapses.
    @discardableResult
    package func release() -> Bool {
        mutex.withLock { _ in
            guard leading, let observation else { return true }
            leading = false
            let record = LeaseDecision.release(of: observation, wallNow: wallClock.wallNow())
            do {
                self.observation = LeaseObservation(
                    snapshot: try lock.update(record, resourceVersion: observation.snapshot.resourceVersion),
                    observedAt: clock.now())
                logger.info("released the election lock", metadata: ["lock": "\(lock.objectDescription)"])
                return true
            } catch {
                logger.warning(
                    "could not release the election lock; it lapses by itself",
                    metadata: ["lock": "\(lock.objectDescription)", "error": "\(error)"])
                return false
            }
        }
    }

    /// Renews every `renewInterval` until `shouldStop()` says so or leadership is lost: another holder
    /// appeared, or no renewal succeeded for a whole lease duration (then others may already have taken over).
    /// Waits in slices of at most 50 ms so a stop request is honoured quickly.
    package func renewWhileLeading(shouldStop: () -> Bool) {
        var lastAttempt = clock.now()
        var lastSuccess = lastAttempt
        while isLeader {
            let due = lastAttempt + timings.renewInterval
            while clock.now() < due {
                if shouldStop() { return }
                clock.sleep(min(0.05, due - clock.now()))
            }
            if shouldStop() { return }
            lastAttempt = clock.now()
            do {
                let result = try tryAcquireOrRenew()
                if result.isLeading {
                    lastSuccess = lastAttempt
                } else if case .following(let holder, _) = result {
                    logger.warning("lost the election lock to another master", metadata: ["holder": "\(holder)"])
                    return
                }
            } catch {
                logger.warning("could not renew the election lock", metadata: ["error": "\(error)"])
                if clock.now() - lastSuccess >= timings.leaseDuration {
                    mutex.withLock { _ in leading = false }
                    logger.error(
                        "gave up leadership: no renewal succeeded within the lease duration",
                        metadata: ["leaseDurationSeconds": "\(timings.leaseDurationSeconds)"])
                    return
                }
            }
        }
    }
}
