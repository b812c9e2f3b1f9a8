import AgentCore
import AgentRuntime
import FoundationEssentials
import Glibc

/// `UnitManager` over sd-bus: one `SystemdManager`, subscribed once so job signals arrive.
package final class SystemdUnitManager: UnitManager, UnitDisabler {
    private let manager: SystemdManager
    private var subscribed = false
    /// Counts of calls made, for the converged-rerun benchmark and logs.
    package private(set) var calls: [String: Int] = [:]

    package init(manager: SystemdManager) { self.manager = manager }

    /// Connects to the local systemd: the system bus, else (as root) systemd's private socket. Throws `SystemdError`.
    package static func connect() throws -> SystemdUnitManager {
        let bus: SystemdBus
        do { bus = try SystemdBus.system() } catch {
            guard geteuid() == 0, FileManager.default.fileExists(atPath: "/run/systemd/private") else { throw error }
            bus = try SystemdBus.systemdPrivate()
        }
        return SystemdUnitManager(manager: try SystemdManager(bus: bus))
    }

    package func reload() throws {
        calls["Reload", default: 0] += 1
        try manager.reload()
    }

    package func enable(_ unit: String) throws -> EnableResult {
        calls["EnableUnitFiles", default: 0] += 1
        return try manager.enableUnitFiles([unit])
    }

    package func disable(_ unit: String) throws -> [UnitFileChange] {
        calls["DisableUnitFiles", default: 0] += 1
        return try manager.disableUnitFiles([unit])
    }

    package func status(_ unit: String) throws -> UnitStatus { try manager.unitStatus(unit) }

    package func run(_ verb: UnitVerb, _ unit: String, timeout: Double) throws -> String {
        if !subscribed {
            try manager.subscribe()
            subscribed = true
        }
        calls[verb.rawValue, default: 0] += 1
        let job: String
        switch verb {
        case .start: job = try manager.startUnit(unit)
        case .restart: job = try manager.restartUnit(unit)
        case .stop: job = try manager.stopUnit(unit)
        }
        return try manager.waitForJob(job, timeout: .milliseconds(Int64(timeout * 1000)))
    }
}

/// `UnitJournal` over sd-journal; an unreadable journal gives no lines rather than hiding the real error.
package struct SystemdJournal: UnitJournal {

    package init() {
    }
    package func lastLines(unit: String, count: Int) -> [String] {
        (try? JournalReader().lastLines(unit: unit, count: count)) ?? []
    }
}
