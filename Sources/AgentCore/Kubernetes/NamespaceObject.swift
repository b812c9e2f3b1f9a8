/// A v1 Namespace, as created for kube-system and read back.
package struct NamespaceObject: Codable, Equatable, Sendable {
    /// The namespace `status`.
    package struct Status: Codable, Equatable, Sendable {
        /// `Active` or `Terminating`.
        package var phase: String?
    }

    /// Always `v1`.
    package var apiVersion: String = "v1"
    /// Always `Namespace`.
    package var kind: String = "Namespace"
    /// The name.
    package var metadata: ObjectMeta
    /// Set by the server.
    package var status: Status?

    /// A namespace to create: `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":NAME}}`.
    package init(name: String) {
        metadata = ObjectMeta(name: name)
        status = nil
    }
}
