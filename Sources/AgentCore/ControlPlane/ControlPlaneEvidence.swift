/// What the agent saw when the wait for the control plane ran out: the kubelet unit, its last log lines, and per
/// component the last answer, the process holding its port and the names its certificate serves. Collected by the
/// runtime, judged by `StallDiagnosis`.
package struct ControlPlaneEvidence: Equatable, Sendable {
    /// The kubelet unit as systemd reports it; nil when systemd could not be asked.
    package var kubelet: KubeletEvidence?
    /// One entry per target, healthy ones included.
    package var components: [ComponentEvidence]
    /// The API server's `/readyz?verbose` body, when it answered one.
    package var readyzVerbose: String?

    package init(kubelet: KubeletEvidence?, components: [ComponentEvidence], readyzVerbose: String? = nil) {
        self.kubelet = kubelet
        self.components = components
        self.readyzVerbose = readyzVerbose
    }
}
