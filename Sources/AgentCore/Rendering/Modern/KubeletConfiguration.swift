/// The kubelet's `--config` file (`kubelet.config.k8s.io/v1beta1`, KubeletConfiguration) for a master: kubeadm's
/// defaults that matter (`../shared/reference/kubeadm-1.36/kubelet-config-defaults.yaml`) plus what the hardened
/// API server needs from the kubelet. kubeadm's zero durations (`0s`) are left out: the kubelet reads a missing
/// field and a zero one alike, as "use the default". Keys in kubeadm's (alphabetical) order.
package struct KubeletConfiguration: Encodable, Equatable, Sendable {
    package var apiVersion = "kubelet.config.k8s.io/v1beta1"
    package var kind = "KubeletConfiguration"
    package var authentication: Authentication
    package var authorization = Authorization(mode: "Webhook")
    package var cgroupDriver = "systemd"
    package var clusterDNS: [String]
    package var clusterDomain: String
    package var containerRuntimeEndpoint: String
    package var healthzBindAddress = "127.0.0.1"
    package var healthzPort = 10248
    /// No unauthenticated read-only port (CIS 4.2.4).
    package var readOnlyPort = 0
    /// The masters run only the control plane unless a workload tolerates the taint (kubeadm's taint).
    package var registerWithTaints = [Taint(key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule")]
    package var rotateCertificates = true
    /// A serving certificate signed by the cluster CA (a CSR the kube-controller-manager signs once approved),
    /// which the API server's `--kubelet-certificate-authority` requires.
    package var serverTLSBootstrap = true
    package var staticPodPath: String

    /// The configuration for a master of `config`.
    package init(_ config: ClusterConfig) {
        authentication = Authentication(
            anonymous: .init(enabled: false), webhook: .init(enabled: true),
            x509: .init(clientCAFile: "\(config.pki.dir)/ca.crt"))
        clusterDNS = [config.cluster.dnsServiceIP.description]
        clusterDomain = config.cluster.domain
        // The loader always sets it under modern; the default is the loader's.
        containerRuntimeEndpoint = config.kubelet.containerRuntimeEndpoint ?? "unix:///run/containerd/containerd.sock"
        staticPodPath = config.kubelet.manifestDir
    }

    /// `authentication`: client certificates of the cluster CA and bearer tokens checked with the API server.
    package struct Authentication: Encodable, Equatable, Sendable {
        package var anonymous: Enabled
        package var webhook: Enabled
        package var x509: X509
    }

    /// A section that is only switched on or off.
    package struct Enabled: Encodable, Equatable, Sendable {
        package var enabled: Bool
    }

    /// `authentication.x509`.
    package struct X509: Encodable, Equatable, Sendable {
        package var clientCAFile: String
    }

    /// `authorization`: every request authorized by the API server (SubjectAccessReview).
    package struct Authorization: Encodable, Equatable, Sendable {
        package var mode: String
    }

    /// One taint of `registerWithTaints`.
    package struct Taint: Encodable, Equatable, Sendable {
        package var key: String
        package var effect: String
    }
}
