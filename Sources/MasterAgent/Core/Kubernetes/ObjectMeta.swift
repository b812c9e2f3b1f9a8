/// The `metadata` fields of a Kubernetes object the agent reads or writes; others are ignored.
struct ObjectMeta: Codable, Equatable, Sendable {
    /// Object name.
    var name: String
    /// Namespace; nil for cluster-scoped objects.
    var namespace: String?
    /// Opaque version for optimistic concurrency; nil on create.
    var resourceVersion: String?
    /// Server-assigned identity.
    var uid: String?
    /// Labels.
    var labels: [String: String]?
    /// Annotations (the Endpoints lock keeps its record here).
    var annotations: [String: String]?

    /// Builds metadata for a new or updated object.
    init(name: String, namespace: String? = nil, resourceVersion: String? = nil, uid: String? = nil,
         labels: [String: String]? = nil, annotations: [String: String]? = nil) {
        self.name = name
        self.namespace = namespace
        self.resourceVersion = resourceVersion
        self.uid = uid
        self.labels = labels
        self.annotations = annotations
    }
}
