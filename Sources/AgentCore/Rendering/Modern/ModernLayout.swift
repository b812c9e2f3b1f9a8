/// Where the modern profile puts what it writes outside `pki.dir` and `kubelet.manifestDir`: kubeadm's paths, so
/// operators coming from kubeadm find every file where they expect it. Fixed, not configurable, as in kubeadm.
package enum ModernLayout {
    /// kubeadm's `/etc/kubernetes`: the kubeconfigs and the API server's configuration files.
    package static let kubernetesDir = "/etc/kubernetes"
    /// The kubeconfig `fileName` (`admin.conf`, ...) in `kubernetesDir`.
    package static func kubeconfig(_ fileName: String) -> String { "\(kubernetesDir)/\(fileName)" }
    /// `--audit-policy-file` (0600).
    package static let auditPolicy = "\(kubernetesDir)/audit-policy.yaml"
    /// `--authentication-config` (0600): anonymous only on /livez, /readyz, /healthz.
    package static let authenticationConfig = "\(kubernetesDir)/authentication-config.yaml"
    /// `--admission-control-config-file` (0600): EventRateLimit.
    package static let admissionConfig = "\(kubernetesDir)/admission-config.yaml"
    /// `--encryption-provider-config` (0600): holds the cluster's shared encryption key; made once, never rewritten.
    package static let encryptionConfig = "\(kubernetesDir)/encryption-config.yaml"
    /// The audit log directory (0700); the API server creates the log file in it.
    package static let auditLogDir = "/var/log/kubernetes/audit"
    /// `--audit-log-path`.
    package static let auditLogPath = "\(auditLogDir)/audit.log"
    /// The kubelet's `--config` (KubeletConfiguration).
    package static let kubeletConfig = "/var/lib/kubelet/config.yaml"
    /// The kubelet's `--bootstrap-kubeconfig`, as in the reference unit (the agent does not write it: a master's
    /// kubelet.conf is made by the certs step, so the kubelet never needs to bootstrap).
    package static let bootstrapKubeletConfig = "\(kubernetesDir)/bootstrap-kubelet.conf"
}
