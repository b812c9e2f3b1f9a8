import AgentCore
import AgentRuntime
import CSystemd
import FoundationEssentials

/// Calls on org.freedesktop.systemd1.Manager and reads unit properties, over one `SystemdBus`.
/// Every job method's JobRemoved signal is captured from the moment this object exists, so
/// `waitForJob` cannot miss a job that finishes before it is called.
package final class SystemdManager {
    /// The connection used for every call.
    package let bus: SystemdBus
    private var jobRemovedSlot: BusSlot?
    // Jobs this object queued and not yet waited for; only their JobRemoved results are kept,
    // so a busy system's other jobs do not pile up here.
    private var queuedJobs: Set<String> = []
    // Results of JobRemoved signals for queued jobs, by job object path.
    private var finishedJobs: [String: String] = [:]

    /// Wraps `bus` and installs the JobRemoved match before any job can be queued; throws
    /// `SystemdError`; sd_bus_match_signal.
    package init(bus: SystemdBus) throws {
        self.bus = bus
        let handler: sd_bus_message_handler_t = { message, userdata, _ in
            guard let message, let userdata else { return 0 }
            let manager = Unmanaged<SystemdManager>.fromOpaque(userdata).takeUnretainedValue()
            manager.recordJobRemoved(BusMessage(borrowing: message, context: "JobRemoved"))
            return 0
        }
        // Unretained: the slot is freed in our deinit, before we go away.
        jobRemovedSlot = try bus.matchSignal(
            path: SystemdBus.managerPath, interface: SystemdBus.managerInterface, member: "JobRemoved",
            handler: handler, userdata: Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        jobRemovedSlot = nil
    }

    /// Asks systemd to send job and unit signals to this client; throws `SystemdError`; Manager.Subscribe.
    package func subscribe() throws {
        _ = try bus.call(try bus.methodCall(member: "Subscribe"), on: "systemd")
    }

    /// Reloads all unit files (daemon-reload); returns when systemd is done; throws `SystemdError`; Manager.Reload.
    package func reload() throws {
        _ = try bus.call(try bus.methodCall(member: "Reload"), on: "systemd", timeout: .seconds(90))
    }

    /// Enables unit files (names or absolute paths) by their [Install] section; throws `SystemdError`;
    /// Manager.EnableUnitFiles.
    package func enableUnitFiles(_ files: [String], runtime: Bool = false, force: Bool = true) throws -> EnableResult {
        let call = try bus.methodCall(member: "EnableUnitFiles")
        try call.append(files)
        try call.append(runtime)
        try call.append(force)
        let reply = try bus.call(call, on: files.joined(separator: ", "))
        let carriesInstallInfo = try reply.readBool()
        return EnableResult(carriesInstallInfo: carriesInstallInfo, changes: try readChanges(reply))
    }

    /// Disables unit files (removes their [Install] symlinks); throws `SystemdError`; Manager.DisableUnitFiles.
    package func disableUnitFiles(_ files: [String], runtime: Bool = false) throws -> [UnitFileChange] {
        let call = try bus.methodCall(member: "DisableUnitFiles")
        try call.append(files)
        try call.append(runtime)
        return try readChanges(try bus.call(call, on: files.joined(separator: ", ")))
    }

    /// Queues a start job; returns its object path for `waitForJob`; throws `SystemdError`
    /// (`.noSuchUnit` for a unit or a Requires= dependency systemd cannot find); Manager.StartUnit.
    package func startUnit(_ name: String, mode: String = "replace") throws -> String {
        try queueJob("StartUnit", name, mode: mode)
    }

    /// Queues a restart job; returns its object path; throws `SystemdError`; Manager.RestartUnit.
    package func restartUnit(_ name: String, mode: String = "replace") throws -> String {
        try queueJob("RestartUnit", name, mode: mode)
    }

    /// Queues a stop job; returns its object path; throws `SystemdError`; Manager.StopUnit.
    package func stopUnit(_ name: String, mode: String = "replace") throws -> String {
        try queueJob("StopUnit", name, mode: mode)
    }

    /// Waits for the JobRemoved signal of `job` (a path returned by this object's start/restart/stop)
    /// and returns its result ("done", "failed", "timeout",
    /// "dependency", "canceled", "skipped"); throws `SystemdError` `.jobTimeout` after `timeout`;
    /// sd_bus_process + sd_bus_wait.
    package func waitForJob(_ job: String, timeout: Duration) throws -> String {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            if let result = finishedJobs.removeValue(forKey: job) {
                queuedJobs.remove(job)
                return result
            }
            if try bus.processOne() { continue }
            let now = clock.now
            if now >= deadline {
                throw SystemdError(
                    code: .jobTimeout, action: "wait for job", object: job,
                    cause: "no JobRemoved signal within \(timeout)")
            }
            try bus.wait(timeout: now.duration(to: deadline))
        }
    }

    /// Reads the unit's states, file, dependencies and (for services) result, restarts and start
    /// time; loads the unit if needed, so a missing unit gives LoadState "not-found"; throws
    /// `SystemdError`; Manager.LoadUnit + org.freedesktop.DBus.Properties.Get.
    package func unitStatus(_ name: String) throws -> UnitStatus {
        let load = try bus.methodCall(member: "LoadUnit")
        try load.append(name)
        let path = try bus.call(load, on: name).readString(type: "o")
        let unit = Properties(manager: self, path: path, unitName: name, interface: "org.freedesktop.systemd1.Unit")
        var status = UnitStatus(
            name: name,
            loadState: try unit.string("LoadState"),
            activeState: try unit.string("ActiveState"),
            subState: try unit.string("SubState"),
            fragmentPath: try unit.string("FragmentPath"),
            unitFileState: try unit.string("UnitFileState"),
            needDaemonReload: try unit.bool("NeedDaemonReload"),
            requires: try unit.strings("Requires"),
            dropInPaths: try unit.strings("DropInPaths"))
        // The Service interface exists only on .service units.
        if name.hasSuffix(".service") {
            let service = Properties(
                manager: self, path: path, unitName: name, interface: "org.freedesktop.systemd1.Service")
            status.result = try service.string("Result")
            status.nRestarts = try service.uint32("NRestarts")
            status.execMainStartTimestamp = try service.uint64("ExecMainStartTimestamp")
        }
        return status
    }

    private func queueJob(_ method: String, _ name: String, mode: String) throws -> String {
        let call = try bus.methodCall(member: method)
        try call.append(name)
        try call.append(mode)
        // sd_bus_call queues signals that arrive before the reply without dispatching them, so
        // the job is known here before its JobRemoved can be handled.
        let job = try bus.call(call, on: name).readString(type: "o")
        queuedJobs.insert(job)
        return job
    }

    private func readChanges(_ reply: BusMessage) throws -> [UnitFileChange] {
        var changes: [UnitFileChange] = []
        try reply.enterContainer("a", "(sss)")
        while try reply.enterContainer("r", "sss") {
            changes.append(
                UnitFileChange(
                    type: try reply.readString(), file: try reply.readString(),
                    destination: try reply.readString()))
            try reply.exitContainer()
        }
        try reply.exitContainer()
        return changes
    }

    // Properties.Get answers a variant; `type` is the D-Bus signature it must hold.
    fileprivate func property<T>(
        _ path: String, _ interface: String, _ name: String, of unit: String,
        type: String, read: (BusMessage) throws -> T
    ) throws -> T {
        let call = try bus.methodCall(path: path, interface: "org.freedesktop.DBus.Properties", member: "Get")
        try call.append(interface)
        try call.append(name)
        let reply = try bus.call(call, on: "\(unit) (\(name))")
        try reply.enterContainer("v", type)
        let value = try read(reply)
        try reply.exitContainer()
        return value
    }

    private func recordJobRemoved(_ message: BusMessage) {
        // JobRemoved(u id, o job, s unit, s result); a malformed one is not ours to fail on.
        guard (try? message.readUInt32()) != nil,
            let job = try? message.readString(type: "o"),
            (try? message.readString()) != nil,
            let result = try? message.readString(), queuedJobs.contains(job)
        else { return }
        finishedJobs[job] = result
    }
}

// Typed readers for one interface of one unit object, so each property's D-Bus type is named once.
private struct Properties {
    package let manager: SystemdManager
    package let path: String
    package let unitName: String
    package let interface: String

    package func string(_ name: String) throws -> String {
        try manager.property(path, interface, name, of: unitName, type: "s") { try $0.readString() }
    }

    package func bool(_ name: String) throws -> Bool {
        try manager.property(path, interface, name, of: unitName, type: "b") { try $0.readBool() }
    }

    package func strings(_ name: String) throws -> [String] {
        try manager.property(path, interface, name, of: unitName, type: "as") { try $0.readStringArray() }
    }

    package func uint32(_ name: String) throws -> UInt32 {
        try manager.property(path, interface, name, of: unitName, type: "u") { try $0.readUInt32() }
    }

    package func uint64(_ name: String) throws -> UInt64 {
        try manager.property(path, interface, name, of: unitName, type: "t") { try $0.readUInt64() }
    }
}
