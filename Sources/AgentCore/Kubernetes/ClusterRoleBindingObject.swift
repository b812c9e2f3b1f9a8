/// A `rbac.authorization.k8s.io/v1` ClusterRoleBinding.
package struct ClusterRoleBindingObject: Codable, Equatable, Sendable {
    /// The bound role.
    package struct RoleRef: Codable, Equatable, Sendable {
        package var apiGroup: String
        package var kind: String
        package var name: String
    }

    /// One subject: a `User`, `Group` or `ServiceAccount`.
    package struct Subject: Codable, Equatable, Sendable {
        package var kind: String
        package var name: String
        package var apiGroup: String?
    }

    package var apiVersion: String? = "rbac.authorization.k8s.io/v1"
    package var kind: String? = "ClusterRoleBinding"
    package var metadata: ObjectMeta
    package var roleRef: RoleRef
    package var subjects: [Subject]?

    /// The collection path.
    package static let collectionPath = "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings"

    /// kubeadm's `kubeadm:cluster-admins` binding: ClusterRole `cluster-admin` for the group of the same name, which
    /// `admin.conf`'s certificate carries as its O. Without it admin.conf has no rights (kubeadm 1.29 and later).
    package static let clusterAdmins = ClusterRoleBindingObject(
        metadata: ObjectMeta(name: "kubeadm:cluster-admins"),
        roleRef: RoleRef(apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin"),
        subjects: [Subject(kind: "Group", name: "kubeadm:cluster-admins", apiGroup: "rbac.authorization.k8s.io")])

    package init(metadata: ObjectMeta, roleRef: RoleRef, subjects: [Subject]?) {
        self.metadata = metadata
        self.roleRef = roleRef
        self.subjects = subjects
    }
}
