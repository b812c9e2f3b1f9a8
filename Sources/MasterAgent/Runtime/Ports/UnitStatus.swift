/// What systemd says about one unit, read over D-Bus (org.freedesktop.DBus.Properties.Get).
struct UnitStatus: Equatable {
    /// The unit name asked for, e.g. "kubelet.service".
    var name: String
    /// "loaded", "not-found", "masked", "bad-setting", "error" (Unit.LoadState).
    var loadState: String
    /// "active", "inactive", "failed", "activating", ... (Unit.ActiveState).
    var activeState: String
    /// The type-specific state, e.g. "running", "dead", "auto-restart" (Unit.SubState).
    var subState: String
    /// The unit file systemd loaded, empty when none (Unit.FragmentPath).
    var fragmentPath: String
    /// "enabled", "disabled", "static", ... or empty (Unit.UnitFileState).
    var unitFileState: String
    /// True when the file on disk changed since systemd loaded it (Unit.NeedDaemonReload).
    var needDaemonReload: Bool
    /// Units this one requires, including systemd's implicit ones such as sysinit.target (Unit.Requires).
    var requires: [String]
    /// Drop-in files applied to the unit (Unit.DropInPaths).
    var dropInPaths: [String]
    /// "success", "exit-code", "signal", ... for services, nil for other unit types (Service.Result).
    var result: String?
    /// How often systemd restarted the service automatically; nil for non-services (Service.NRestarts).
    var nRestarts: UInt32?
    /// When the main process last started, µs since the epoch, 0 if never; nil for non-services
    /// (Service.ExecMainStartTimestamp).
    var execMainStartTimestamp: UInt64?
}
