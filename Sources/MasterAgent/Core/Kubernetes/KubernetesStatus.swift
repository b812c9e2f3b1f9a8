import FoundationEssentials

/// A Kubernetes `Status` object (`kind: Status`, `apiVersion: v1`), the body the API server sends with every error.
struct KubernetesStatus: Codable, Equatable {
    /// Extra facts about the object the failed request was about.
    struct Details: Codable, Equatable {
        /// Name of the object, e.g. `kube-system`.
        var name: String?
        /// API group of the object; empty or absent for the core group.
        var group: String?
        /// Resource kind as the server spells it, e.g. `namespaces` or `leases`.
        var kind: String?
    }

    /// Always `Status` for a Status object.
    var kind: String
    /// Usually `v1`.
    var apiVersion: String?
    /// `Success` or `Failure`.
    var status: String?
    /// Human-readable description, e.g. `namespaces "nope" not found`.
    var message: String?
    /// Machine-readable reason, e.g. `NotFound`, `AlreadyExists`, `Conflict`.
    var reason: String?
    /// The object the status is about, when the server names it.
    var details: Details?
    /// HTTP status code the server meant, e.g. 404.
    var code: Int?

    /// Decodes `body` as a Status, or returns nil when it is not JSON or its `kind` is not `Status`.
    static func decode(from body: Data) -> KubernetesStatus? {
        guard let status = try? JSONDecoder().decode(KubernetesStatus.self, from: body),
              status.kind == "Status" else { return nil }
        return status
    }
}
