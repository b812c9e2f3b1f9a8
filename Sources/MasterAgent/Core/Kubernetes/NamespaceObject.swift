/// A v1 Namespace, as created for kube-system and read back.
struct NamespaceObject: Codable, Equatable, Sendable {
    /// The namespace `status`.
    struct Status: Codable, Equatable, Sendable {
        /// `Active` or `Terminating`.
        var phase: String?
    }

    /// Always `v1`.
    var apiVersion: String = "v1"
    /// Always `Namespace`.
    var kind: String = "Namespace"
    /// The name.
    var metadata: ObjectMeta
    /// Set by the server.
    var status: Status?

    /// A namespace to create: `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":NAME}}`.
    init(name: String) {
        metadata = ObjectMeta(name: name)
        status = nil
    }
}
