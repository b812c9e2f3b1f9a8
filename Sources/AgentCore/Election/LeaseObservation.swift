/// What this agent last saw of the lock, and when (on its own monotonic clock) the record last changed.
/// Expiry is judged from this local time only: the holder's wall-clock renewTime is never compared
/// with ours, so skewed clocks between masters cannot cause a takeover.
package struct LeaseObservation: Equatable, Sendable {
    /// The lock as last read or written.
    package let snapshot: LockSnapshot
    /// Local monotonic seconds when the record (not just the resourceVersion) was last seen to change.
    package let observedAt: Double

    /// Builds an observation.
    package init(snapshot: LockSnapshot, observedAt: Double) {
        self.snapshot = snapshot
        self.observedAt = observedAt
    }

    /// The observation after reading `snapshot` at local time `now`: the change time moves only when
    /// the record differs from the one seen before (client-go compares the raw record the same way).
    package static func after(_ previous: LeaseObservation?, reading snapshot: LockSnapshot, at now: Double)
        -> LeaseObservation
    {
        if let previous, previous.snapshot.record == snapshot.record {
            return LeaseObservation(snapshot: snapshot, observedAt: previous.observedAt)
        }
        return LeaseObservation(snapshot: snapshot, observedAt: now)
    }

    /// Local time at which the holder's lease lapses unless the record changes again.
    package var expiresAt: Double { observedAt + Double(snapshot.record.leaseDurationSeconds) }
}
