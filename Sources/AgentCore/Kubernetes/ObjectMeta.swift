/// The `metadata` fields of a Kubernetes object the agent reads or writes; others are ignored.
package struct ObjectMeta: Codable, Equatable, Sendable {
    /// Object name.
    package var name: String
    /// Namespace; nil for cluster-scoped objects.
    package var namespace: String?
    /// Opaque version for optimistic concurrency; nil on create.
    package var resourceVersion: String?
    /// Server-assigned identity.
    package var uid: String?
    /// Labels.
    package var labels: [String: String]?
    /// Annotations (the Endpoints lock keeps its record here).
    package var annotations: [String: String]?

    /// Builds metadata for a new or updated object.
    package init(
        name: String, namespace: String? = nil, resourceVersion: String? = nil, uid: String? = nil,
        labels: [String: String]? = nil, annotations: [String: String]? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.resourceVersion = resourceVersion
        self.uid = uid
        self.labels = labels
        self.annotations = annotations
    }
}
