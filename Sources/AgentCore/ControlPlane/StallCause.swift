/// Why the control plane did not become healthy: stable names for JSON (`cause`) and the README's table.
package enum StallCause: String, Codable, CaseIterable, Sendable {
    /// kubelet.service is inactive or failed.
    case kubeletNotRunning = "kubelet-not-running"
    /// kubelet.service keeps exiting and systemd restarts it.
    case kubeletRestarting = "kubelet-restarting"
    /// The kubelet cannot talk to containerd (or another CRI runtime) over its socket.
    case containerRuntimeUnreachable = "container-runtime-unreachable"
    /// A control-plane image cannot be pulled.
    case imagePullFailed = "image-pull-failed"
    /// The kubelet and the container runtime use different cgroup drivers.
    case cgroupDriverMismatch = "cgroup-driver-mismatch"
    /// Another process listens on a component's port, so the component cannot bind it.
    case portInUse = "port-in-use"
    /// The API server's certificate does not name the host the agent dialled.
    case apiServerCertificateName = "apiserver-certificate-name"
    /// The API server cannot use etcd: unreachable, or refusing its client certificate.
    case etcdUnavailable = "etcd-unavailable"
    /// A component answered 401 or 403 to the agent's credentials.
    case credentialsRejected = "credentials-rejected"
    /// None of the above: the component's last answer is all there is.
    case notHealthy = "not-healthy"
}
