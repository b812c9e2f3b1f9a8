import AgentCore

/// What systemd says about one unit, read over D-Bus (org.freedesktop.DBus.Properties.Get).
package struct UnitStatus: Equatable {
    /// The unit name asked for, e.g. "kubelet.service".
    package var name: String
    /// "loaded", "not-found", "masked", "bad-setting", "error" (Unit.LoadState).
    package var loadState: String
    /// "active", "inactive", "failed", "activating", ... (Unit.ActiveState).
    package var activeState: String
    /// The type-specific state, e.g. "running", "dead", "auto-restart" (Unit.SubState).
    package var subState: String
    /// The unit file systemd loaded, empty when none (Unit.FragmentPath).
    package var fragmentPath: String
    /// "enabled", "disabled", "static", ... or empty (Unit.UnitFileState).
    package var unitFileState: String
    /// True when the file on disk changed since systemd loaded it (Unit.NeedDaemonReload).
    package var needDaemonReload: Bool
    /// Units this one requires, including systemd's implicit ones such as sysinit.target (Unit.Requires).
    package var requires: [String]
    /// Drop-in files applied to the unit (Unit.DropInPaths).
    package var dropInPaths: [String]
    /// "success", "exit-code", "signal", ... for services, nil for other unit types (Service.Result).
    package var result: String?
    /// How often systemd restarted the service automatically; nil for non-services (Service.NRestarts).
    package var nRestarts: UInt32?
    /// When the main process last started, µs since the epoch, 0 if never; nil for non-services
    /// (Service.ExecMainStartTimestamp).
    package var execMainStartTimestamp: UInt64?

    package init(
        name: String, loadState: String, activeState: String, subState: String, fragmentPath: String,
        unitFileState: String, needDaemonReload: Bool, requires: [String], dropInPaths: [String], result: String? = nil,
        nRestarts: UInt32? = nil, execMainStartTimestamp: UInt64? = nil
    ) {
        self.name = name
        self.loadState = loadState
        self.activeState = activeState
        self.subState = subState
        self.fragmentPath = fragmentPath
        self.unitFileState = unitFileState
        self.needDaemonReload = needDaemonReload
        self.requires = requires
        self.dropInPaths = dropInPaths
        self.result = result
        self.nRestarts = nRestarts
        self.execMainStartTimestamp = execMainStartTimestamp
    }
}
