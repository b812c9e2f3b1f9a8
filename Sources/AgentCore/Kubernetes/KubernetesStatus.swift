import FoundationEssentials

/// A Kubernetes `Status` object (`kind: Status`, `apiVersion: v1`), the body the API server sends with every error.
package struct KubernetesStatus: Codable, Equatable {
    /// Extra facts about the object the failed request was about.
    package struct Details: Codable, Equatable {
        /// Name of the object, e.g. `kube-system`.
        package var name: String?
        /// API group of the object; empty or absent for the core group.
        package var group: String?
        /// Resource kind as the server spells it, e.g. `namespaces` or `leases`.
        package var kind: String?
    }

    /// Always `Status` for a Status object.
    package var kind: String
    /// Usually `v1`.
    package var apiVersion: String?
    /// `Success` or `Failure`.
    package var status: String?
    /// Human-readable description, e.g. `namespaces "nope" not found`.
    package var message: String?
    /// Machine-readable reason, e.g. `NotFound`, `AlreadyExists`, `Conflict`.
    package var reason: String?
    /// The object the status is about, when the server names it.
    package var details: Details?
    /// HTTP status code the server meant, e.g. 404.
    package var code: Int?

    /// Decodes `body` as a Status, or returns nil when it is not JSON or its `kind` is not `Status`.
    package static func decode(from body: Data) -> KubernetesStatus? {
        guard let status = try? JSONDecoder().decode(KubernetesStatus.self, from: body),
            status.kind == "Status"
        else { return nil }
        return status
    }
}
