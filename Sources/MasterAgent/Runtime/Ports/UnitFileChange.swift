/// One symlink change systemd reports from EnableUnitFiles/DisableUnitFiles (the a(sss) out argument).
struct UnitFileChange: Equatable {
    /// "symlink" or "unlink" (systemd may add others).
    var type: String
    /// The symlink created or removed, e.g. /etc/systemd/system/multi-user.target.wants/kubelet.service.
    var file: String
    /// Where a new symlink points; empty for "unlink".
    var destination: String
}

/// What Manager.EnableUnitFiles answered.
struct EnableResult: Equatable {
    /// False when the unit has no [Install] section, so enabling made no symlinks.
    var carriesInstallInfo: Bool
    /// The symlinks made; empty when the unit was already enabled.
    var changes: [UnitFileChange]
}
