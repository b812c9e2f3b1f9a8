import AgentCore

/// The lock as a `coordination.k8s.io/v1` Lease at `/apis/coordination.k8s.io/v1/namespaces/NS/leases/NAME`.
package final class LeaseLock: ResourceLock {
    package let kind = LockKind.lease
    private let client: KubernetesAPIClient
    private let namespace: String
    private let name: String

    /// A Lease lock `namespace/name` read and written through `client`.
    package init(client: KubernetesAPIClient, namespace: String, name: String) {
        self.client = client
        self.namespace = namespace
        self.name = name
    }

    package var objectDescription: String { "Lease \(namespace)/\(name)" }

    private var collection: String { "/apis/coordination.k8s.io/v1/namespaces/\(namespace)/leases" }

    /// GET the Lease; nil on NotFound.
    package func get() throws -> LockSnapshot? {
        try client.getIfPresent(LeaseObject.self, "\(collection)/\(name)")?.snapshot()
    }

    /// POST a new Lease.
    package func create(_ record: LeaderElectionRecord) throws -> LockSnapshot {
        try client.create(
            LeaseObject(name: name, namespace: namespace, resourceVersion: nil, record: record), in: collection
        ).snapshot()
    }

    /// PUT the Lease with the observed resourceVersion.
    package func update(_ record: LeaderElectionRecord, resourceVersion: String) throws -> LockSnapshot {
        try client.update(
            LeaseObject(name: name, namespace: namespace, resourceVersion: resourceVersion, record: record),
            at: "\(collection)/\(name)"
        ).snapshot()
    }
}
