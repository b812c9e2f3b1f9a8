@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// A protocol-level systemd double: answers from a table of unit states and records every call.
final class RecordingUnitManager: UnitManager, UnitDisabler {
    var states: [String: UnitStatus] = [:]
    var jobResult = "done"
    /// Calls (as recorded, e.g. "StopUnit kubelet.service") that throw this error instead of answering.
    var failures: [String: Error] = [:]
    /// Applied to the unit's state each time status() is read after a start (simulates a restart loop).
    var afterStart: ((inout UnitStatus) -> Void)?
    private(set) var calls: [String] = []
    private var started = false

    static func unit(
        _ name: String, load: String = "loaded", active: String = "inactive", fileState: String = "disabled",
        requires: [String] = []
    ) -> UnitStatus {
        UnitStatus(
            name: name, loadState: load, activeState: active, subState: active == "active" ? "running" : "dead",
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
        return EnableResult(
            carriesInstallInfo: true,
            changes: [
                UnitFileChange(
                    type: "symlink", file: "/etc/systemd/system/multi-user.target.wants/\(unit)",
                    destination: "/etc/systemd/system/\(unit)")
            ])
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
        if let failure = failures["\(verb.rawValue) \(unit)"] { throw failure }
        if jobResult == "done" {
            let stopping = verb == .stop
            states[unit]?.activeState = stopping ? "inactive" : "active"
            states[unit]?.subState = stopping ? "dead" : "running"
            started = !stopping
        }
        return jobResult
    }

    /// Removes the link `enable` reports making, when the unit is enabled.
    func disable(_ unit: String) throws -> [UnitFileChange] {
        calls.append("DisableUnitFiles \(unit)")
        if let failure = failures["DisableUnitFiles \(unit)"] { throw failure }
        guard states[unit]?.unitFileState == "enabled" else { return [] }
        states[unit]?.unitFileState = "disabled"
        return [
            UnitFileChange(type: "unlink", file: "/etc/systemd/system/multi-user.target.wants/\(unit)", destination: "")
        ]
    }
}

/// A refused unit call in the port's words, as `SystemdError` gives it.
struct FakeUnitFailure: UnitManagerFailure {
    var unitNotFound = false
    var description: String
}

/// Journal lines for a unit, from a table.
struct FixedJournal: UnitJournal {
    let lines: [String]
    func lastLines(unit: String, count: Int) -> [String] { Array(lines.suffix(count)) }
}
