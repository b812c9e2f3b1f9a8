import AgentCore

/// What `NodeReset` did: the files it removed and what it could not undo.
package struct NodeResetOutcome {
    /// The master that was reset.
    package let nodeName: String
    /// The kubelet's unit name, e.g. "kubelet.service".
    package let unitName: String
    /// The files removed (unit file, manifests, TLS material with `purgePKI`), in that order.
    package var files: [FileReport] = []
    /// What systemd refused (stopping or disabling the kubelet), one phrase each.
    package var problems: [String] = []

    /// An outcome with nothing removed and no problem yet.
    package init(nodeName: String, unitName: String) {
        self.nodeName = nodeName
        self.unitName = unitName
    }

    /// True when the kubelet is stopped and disabled and the files are gone.
    package var complete: Bool { problems.isEmpty }

    /// For an incomplete reset, what went wrong and how to finish by hand; nil when complete.
    package var incompleteMessage: String? {
        guard !complete else { return nil }
        return "\(nodeName): reset incomplete: \(problems.joined(separator: "; ")). "
            + "The unit and manifests were removed; stop and disable the kubelet yourself "
            + "(systemctl disable --now \(unitName)), then run reset again."
    }
}
