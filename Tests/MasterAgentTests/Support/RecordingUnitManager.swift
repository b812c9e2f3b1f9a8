@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// A protocol-level systemd double: answers from a table of unit states and records every call.
final class RecordingUnitManager: UnitManager {
    var states: [String: UnitStatus] = [:]
    var jobResult = "done"
    /// Applied to the unit's state each time status() is read after a start (simulates a restart loop).
    var afterStart: ((inout UnitStatus) -> Void)?
    private(set) var calls: [String] = []
    private var started = false

    static func unit(_ name: String, load: String = "loaded", active: String = "inactive", fileState: String = "disabled",
                     requires: [String] = []) -> UnitStatus {
        UnitStatus(name: name, loadState: load, activeState: active, subState: active == "active" ? "running" : "dead",
                   fragmentPath: "/etc/systemd/system/\(name)", unitFileState: fileState, needDaemonReload: false,
                   requires: requires, dropInPaths: [], result: "success", nRestarts: 0, execMainStartTimestamp: 0)
    }

    /// Drop-ins systemd would find on Reload.
    var dropInsOnReload: [String] = []

    func reload() throws {
        calls.append("Reload")
        for name in states.keys { states[name]?.dropInPaths = dropInsOnReload }
    }

    func enable(_ unit: String) throws -> EnableResult {
        calls.append("EnableUnitFiles \(unit)")
        states[unit]?.unitFileState = "enabled"
        return EnableResult(carriesInstallInfo: true, changes: [UnitFileChange(type: "symlink", file: "/etc/systemd/system/multi-user.target.wants/\(unit)",
                                                                               destination: "/etc/systemd/system/\(unit)")])
    }

    func status(_ unit: String) throws -> UnitStatus {
        if started, let afterStart, var state = states[unit] {
            afterStart(&state)
            states[unit] = state
        }
        return states[unit] ?? Self.unit(unit, load: "not-found")
    }

    func run(_ verb: UnitVerb, _ unit: String, timeout: Double) throws -> String {
        calls.append("\(verb.rawValue) \(unit)")
        if jobResult == "done" {
            states[unit]?.activeState = "active"
            states[unit]?.subState = "running"
            started = true
        }
        return jobResult
    }
}

/// Journal lines for a unit, from a table.
struct FixedJournal: UnitJournal {
    let lines: [String]
    func lastLines(unit: String, count: Int) -> [String] { Array(lines.suffix(count)) }
}
