import Foundation

/// What to do with the kubelet unit, decided from facts only (no D-Bus here).
package enum UnitDecisions {
    /// Whether to call Manager.Reload and Manager.EnableUnitFiles.
    package struct EnablePlan: Equatable {
        package var reload: Bool
        package var enable: Bool
    }

    /// Reload only when our file changed or systemd says its loaded copy is stale (an edited drop-in);
    /// enable only when the unit file state is not already "enabled".
    package static func enablePlan(unitFileChanged: Bool, needDaemonReload: Bool, unitFileState: String) -> EnablePlan {
        EnablePlan(reload: unitFileChanged || needDaemonReload, enable: unitFileState != "enabled")
    }

    /// How to bring the kubelet up.
    package enum StartAction: String, Equatable, Codable {
        /// Manager.StartUnit: it is not running.
        case start
        /// Manager.RestartUnit: it runs an old definition.
        case restart
        /// Nothing: it runs the current definition.
        case none
    }

    /// StartUnit when inactive or failed, RestartUnit when running with a changed unit, else nothing.
    package static func startAction(activeState: String, unitChanged: Bool) -> StartAction {
        switch activeState {
        case "active", "activating", "reloading":
            return unitChanged ? .restart : .none
        default:
            return .start
        }
    }

    /// Units named in Requires= that systemd cannot load, so StartUnit would fail at once.
    package static func missingDependencies(_ loadStates: [String: String]) -> [String] {
        loadStates.filter { $0.value == "not-found" || $0.value == "masked" }.keys.sorted()
    }

    /// Where `systemctl enable` writes `[Install]` links, wherever the unit file itself lives.
    package static let enableDirectory = "/etc/systemd/system"

    /// The `[Install]` symlinks `systemctl --root DIR enable` makes:
    /// `/etc/systemd/system/<target>.wants/<unit>` -> the unit file.
    package static func installSymlinks(unitPath: String, wantedBy: [String]) -> [(link: String, target: String)] {
        // The same unit name the agent enables and starts elsewhere.
        wantedBy.map { ("\(enableDirectory)/\($0).wants/\((unitPath as NSString).lastPathComponent)", unitPath) }
    }
}
