import AgentCore

/// One symlink change systemd reports from EnableUnitFiles/DisableUnitFiles (the a(sss) out argument).
package struct UnitFileChange: Equatable {
    /// "symlink" or "unlink" (systemd may add others).
    package var type: String
    /// The symlink created or removed, e.g. /etc/systemd/system/multi-user.target.wants/kubelet.service.
    package var file: String
    /// Where a new symlink points; empty for "unlink".
    package var destination: String

    package init(type: String, file: String, destination: String) {
        self.type = type
        self.file = file
        self.destination = destination
    }
}

/// What Manager.EnableUnitFiles answered.
package struct EnableResult: Equatable {
    /// False when the unit has no [Install] section, so enabling made no symlinks.
    package var carriesInstallInfo: Bool
    /// The symlinks made; empty when the unit was already enabled.
    package var changes: [UnitFileChange]

    package init(carriesInstallInfo: Bool, changes: [UnitFileChange]) {
        self.carriesInstallInfo = carriesInstallInfo
        self.changes = changes
    }
}
