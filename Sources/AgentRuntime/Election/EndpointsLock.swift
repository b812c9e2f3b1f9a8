import AgentCore

/// The lock as v1 Endpoints at `/api/v1/namespaces/NS/endpoints/NAME`, its record in an annotation.
package final class EndpointsLock: ResourceLock {
    package let kind = LockKind.endpoints
    private let client: KubernetesAPIClient
    private let namespace: String
    private let name: String
    // The metadata last read, so an update keeps annotations and labels others put there.
    private var lastMetadata: ObjectMeta?

    /// An Endpoints lock `namespace/name` read and written through `client`.
    package init(client: KubernetesAPIClient, namespace: String, name: String) {
        self.client = client
        self.namespace = namespace
        self.name = name
    }

    package var objectDescription: String { "Endpoints \(namespace)/\(name)" }

    private var collection: String { "/api/v1/namespaces/\(namespace)/endpoints" }

    /// GET the Endpoints; nil on NotFound.
    package func get() throws -> LockSnapshot? {
        guard let object = try client.getIfPresent(EndpointsObject.self, "\(collection)/\(name)") else { return nil }
        lastMetadata = object.metadata
        return try object.snapshot()
    }

    /// POST new Endpoints.
    package func create(_ record: LeaderElectionRecord) throws -> LockSnapshot {
        let stored = try client.create(
            EndpointsObject(name: name, namespace: namespace, resourceVersion: nil, record: record), in: collection)
        lastMetadata = stored.metadata
        return try stored.snapshot()
    }

    /// PUT the Endpoints with the observed resourceVersion.
    package func update(_ record: LeaderElectionRecord, resourceVersion: String) throws -> LockSnapshot {
        let object = EndpointsObject(
            name: name, namespace: namespace, resourceVersion: resourceVersion, record: record,
            existing: lastMetadata)
        let stored = try client.update(object, at: "\(collection)/\(name)")
        lastMetadata = stored.metadata
        return try stored.snapshot()
    }
}
