/// A lock as read from the server: its record and the resourceVersion an update must carry.
package struct LockSnapshot: Equatable, Sendable {
    /// The leader-election record the lock holds.
    package var record: LeaderElectionRecord
    /// The object's `metadata.resourceVersion` (compared for equality only, never parsed).
    package var resourceVersion: String
}
