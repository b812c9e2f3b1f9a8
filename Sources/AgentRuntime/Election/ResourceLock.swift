import AgentCore

/// An object on the API server that holds a `LeaderElectionRecord` (client-go's `resourcelock.Interface`).
package protocol ResourceLock: AnyObject {
    /// Which kind of object this is.
    var kind: LockKind { get }
    /// The object for messages, e.g. `Lease default/master-agent-bootstrap`.
    var objectDescription: String { get }
    /// Reads the lock; nil when the object does not exist. Throws `APIError`, `HTTPTransportFailure`, `LockRecordError`.
    func get() throws -> LockSnapshot?
    /// Creates the lock holding `record`; throws `APIError` with reason AlreadyExists when it exists.
    func create(_ record: LeaderElectionRecord) throws -> LockSnapshot
    /// Replaces the record, conditional on `resourceVersion`; throws `APIError` with reason Conflict when it changed.
    func update(_ record: LeaderElectionRecord, resourceVersion: String) throws -> LockSnapshot
}

/// The two lock objects the agent can use.
package enum LockKind: String, Equatable, Sendable {
    /// `coordination.k8s.io/v1` Lease (servers since v1.14).
    case lease = "Lease"
    /// v1 Endpoints with the `control-plane.alpha.kubernetes.io/leader` annotation (v1.2 servers).
    case endpoints = "Endpoints"
}
