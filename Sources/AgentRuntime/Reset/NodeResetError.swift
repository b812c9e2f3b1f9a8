import AgentCore

/// `reset` found no way to stop the kubelet (no systemd on a real root), so it removed nothing.
package struct NodeResetError: Error, CustomStringConvertible, Equatable {
    /// The kubelet's unit name, e.g. "kubelet.service".
    package let unitName: String
    /// Why there is no systemd to talk to (`BootstrapContext.unitsUnavailableReason`).
    package let reason: String

    /// The error for `unitName`, with systemd's absence explained by `reason`.
    package init(unitName: String, reason: String) {
        self.unitName = unitName
        self.reason = reason
    }

    /// Reads "could not stop UNIT: REASON. Nothing was removed."
    package var description: String { "could not stop \(unitName): \(reason). Nothing was removed." }
}
