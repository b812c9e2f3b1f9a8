/// One kubeconfig in `/etc/kubernetes`, kubeadm style: the cluster's CA, a server URL, and an embedded client
/// certificate signed by `ca`.
package struct KubeconfigSpec: Equatable, Sendable {
    /// The file name in `/etc/kubernetes`, e.g. `admin.conf`.
    package var fileName: String
    /// The embedded client certificate (clientAuth, no SANs, no file of its own); its CN is the user name.
    package var client: CertificateSpec
    /// The `clusters[].name` the context points at (`cluster.name`, e.g. `kubernetes`).
    package var clusterName: String
    /// The API server URL: the load balancer for admin and super-admin, this master's own API server for the others.
    package var server: String

    package init(fileName: String, client: CertificateSpec, clusterName: String, server: String) {
        self.fileName = fileName
        self.client = client
        self.clusterName = clusterName
        self.server = server
    }

    /// The `users[].name`, the client certificate's CN as kubeadm names it (e.g. `system:node:master01`).
    package var userName: String { client.subject.commonName }

    /// `<user>@<cluster>`, the only context and the current one.
    package var contextName: String { "\(userName)@\(clusterName)" }

    /// Made on each master (the certificate is issued there), whatever the server.
    package var scope: PKIScope { client.scope }
}
