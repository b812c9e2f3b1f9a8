/// The kubelet unit of the modern profile: the reference's `kubelet.service` (kubeadm's unit with the flags in
/// the unit itself instead of a drop-in), its binary, dependencies and CRI socket from the config.
package enum ModernKubeletUnit {
    /// The unit for `config`.
    package static func unit(_ config: ClusterConfig) -> SystemdUnit {
        let kubelet = config.kubelet
        let arguments = [
            "--config=\(ModernLayout.kubeletConfig)",
            "--kubeconfig=\(ModernLayout.kubeconfig("kubelet.conf"))",
            // Never read on a master: the certs step writes kubelet.conf, so there is nothing to bootstrap.
            "--bootstrap-kubeconfig=\(ModernLayout.bootstrapKubeletConfig)",
            "--container-runtime-endpoint=\(kubelet.containerRuntimeEndpoint ?? "unix:///run/containerd/containerd.sock")",
        ]
        var unit: [(key: String, value: String)] = [
            ("Description", "kubelet: The Kubernetes Node Agent"),
            ("Documentation", "https://kubernetes.io/docs/"),
            ("Wants", "network-online.target"),
        ]
        if !kubelet.unitRequires.isEmpty { unit.append(("Requires", kubelet.unitRequires.joined(separator: " "))) }
        let after = ["network-online.target"] + kubelet.unitAfter.filter { $0 != "network-online.target" }
        unit.append(("After", after.joined(separator: " ")))
        return SystemdUnit(sections: [
            .init(name: "Unit", entries: unit),
            .init(
                name: "Service",
                entries: [
                    ("ExecStart", SystemdUnit.execStart(kubelet.binary, arguments: arguments)),
                    ("Restart", "always"),
                    ("RestartSec", "\(kubelet.restartSec)"),
                    // The reference's spelling: systemd 252 reads it in [Service] as the old name of [Unit]
                    // StartLimitIntervalSec= and `systemd-analyze verify` accepts it without a warning.
                    ("StartLimitInterval", "0"),
                ]),
            .init(name: "Install", entries: [("WantedBy", "multi-user.target")]),
        ])
    }
}
