import AgentCore

/// systemd as the kubelet steps use it (the real one is sd-bus to org.freedesktop.systemd1).
package protocol UnitManager: AnyObject {
    /// Manager.Reload.
    func reload() throws
    /// Manager.EnableUnitFiles for one unit name.
    func enable(_ unit: String) throws -> EnableResult
    /// The unit's states and properties (loads the unit; a missing one has loadState "not-found").
    func status(_ unit: String) throws -> UnitStatus
    /// Start ("start"), restart or stop the unit and wait for the job; returns the job result ("done", "failed", ...).
    func run(_ verb: UnitVerb, _ unit: String, timeout: Double) throws -> String
}

/// The job a `UnitManager` queues.
package enum UnitVerb: String {
    case start = "StartUnit", restart = "RestartUnit", stop = "StopUnit"
}

/// Disables a unit (for `reset`); separate because bootstrap never does it.
package protocol UnitDisabler: AnyObject {
    /// Manager.DisableUnitFiles for one unit name; returns the symlinks removed.
    func disable(_ unit: String) throws -> [UnitFileChange]
}

/// A unit call systemd refused, in the port's own words, so steps can tell "no such unit" (nothing
/// to stop or disable) from a real failure without naming the platform's error type.
package protocol UnitManagerFailure: Error, CustomStringConvertible {
    /// True when systemd does not know the unit (org.freedesktop.systemd1.NoSuchUnit).
    var unitNotFound: Bool { get }
}

/// The last lines a unit logged (the real one reads the journal with sd-journal).
package protocol UnitJournal {
    func lastLines(unit: String, count: Int) -> [String]
}

/// Symlinks for enabling a unit offline, as `systemctl --root` does.
package protocol SymlinkStore {
    /// Creates `link` pointing at `target` (parents too); false when it already points there.
    func ensureSymlink(_ link: String, target: String) throws -> Bool
}
