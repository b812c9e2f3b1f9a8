import AgentCore
import AgentRuntime
import CSystemd
import FoundationEssentials
import Glibc

/// Owner of one `sd_bus*` connection to systemd. sd-bus is not thread-safe: use one instance
/// from one thread at a time.
package final class SystemdBus {
    /// systemd's bus name, object path and manager interface.
    package static let destination = "org.freedesktop.systemd1"
    package static let managerPath = "/org/freedesktop/systemd1"
    package static let managerInterface = "org.freedesktop.systemd1.Manager"

    /// The owned connection; flushed, closed and unreferenced in deinit.
    package let handle: OpaquePointer
    /// Where this connection goes, for error messages ("the system bus", "unix:path=...").
    package let address: String
    /// True when talking through a bus daemon (Hello, unique names, sender set on signals);
    /// false for systemd's private peer-to-peer socket.
    package let isBusClient: Bool

    private init(handle: OpaquePointer, address: String, isBusClient: Bool) {
        self.handle = handle
        self.address = address
        self.isBusClient = isBusClient
    }

    deinit {
        sd_bus_flush_close_unref(handle)
    }

    /// Connects to the local system bus; throws `SystemdError` `.noBus` or `.permissionDenied`; sd_bus_open_system.
    package static func system() throws -> SystemdBus {
        var bus: OpaquePointer?
        try SystemdError.check(sd_bus_open_system(&bus), "connect to", "the system bus", otherwise: .noBus)
        guard let bus else {
            throw SystemdError(
                code: .noBus, action: "connect to", object: "the system bus",
                cause: "sd_bus_open_system returned no bus")
        }
        return SystemdBus(handle: bus, address: "the system bus", isBusClient: true)
    }

    /// Connects to systemd's private socket under `root` (what systemctl uses as root; works without
    /// dbus-daemon); systemd refuses peers outside its PID namespace, so from a host into a container
    /// use `systemBus(root:)`; throws `SystemdError`; sd_bus_new + sd_bus_set_address + sd_bus_start.
    package static func systemdPrivate(root: String = "/") throws -> SystemdBus {
        try SystemdBus(address: "unix:path=\(joined(root, "run/systemd/private"))", busClient: false)
    }

    /// Connects to the D-Bus system bus daemon whose socket lies under `root` (`/proc/<pid1>/root`
    /// for a container); throws `SystemdError`.
    package static func systemBus(root: String) throws -> SystemdBus {
        try SystemdBus(address: "unix:path=\(joined(root, "run/dbus/system_bus_socket"))", busClient: true)
    }

    /// Connects to an explicit D-Bus address; `busClient` is true for a bus daemon, false for a
    /// peer such as systemd's private socket; throws `SystemdError`; sd_bus_new, sd_bus_set_address,
    /// sd_bus_set_bus_client, sd_bus_start.
    package convenience init(address: String, busClient: Bool) throws {
        var bus: OpaquePointer?
        try SystemdError.check(sd_bus_new(&bus), "create a bus for", address, otherwise: .noBus)
        guard let bus else {
            throw SystemdError(
                code: .noBus, action: "create a bus for", object: address, cause: "sd_bus_new returned no bus")
        }
        // Until sd_bus_start succeeds the handle is ours alone; free it on every early exit.
        var started = false
        defer { if !started { sd_bus_unref(bus) } }
        try SystemdError.check(sd_bus_set_address(bus, address), "set the address of", address, otherwise: .noBus)
        try SystemdError.check(sd_bus_set_bus_client(bus, busClient ? 1 : 0), "configure", address, otherwise: .noBus)
        try SystemdError.check(sd_bus_start(bus), "connect to", address, otherwise: .noBus)
        started = true
        self.init(handle: bus, address: address, isBusClient: busClient)
    }

    /// Creates a method call to systemd; throws `SystemdError`; sd_bus_message_new_method_call.
    package func methodCall(
        path: String = SystemdBus.managerPath, interface: String = SystemdBus.managerInterface,
        member: String
    ) throws -> BusMessage {
        var message: OpaquePointer?
        let r = sd_bus_message_new_method_call(handle, &message, SystemdBus.destination, path, interface, member)
        try SystemdError.check(r, "build \(member) for", address)
        guard let message else {
            throw SystemdError(
                code: .callFailed, action: "build \(member) for", object: address, cause: "no message was created")
        }
        return BusMessage(adopting: message, context: member)
    }

    /// Sends `call` and waits for its reply; `object` names what the call acts on in errors;
    /// throws `SystemdError` with the D-Bus error name and message; sd_bus_call.
    package func call(_ call: BusMessage, on object: String, timeout: Duration? = nil) throws -> BusMessage {
        var error = csystemd_SD_BUS_ERROR_NULL()
        defer { sd_bus_error_free(&error) }
        var reply: OpaquePointer?
        let r = sd_bus_call(handle, call.handle, timeout.map(microseconds) ?? 0, &error, &reply)
        try withUnsafePointer(to: &error) { error in
            _ = try SystemdError.check(r, "call \(call.context) on", object, busError: error)
        }
        guard let reply else {
            throw SystemdError(
                code: .invalidReply, action: "call \(call.context) on", object: object, cause: "no reply message")
        }
        return BusMessage(adopting: reply, context: call.context)
    }

    /// Dispatches one queued or incoming message to its match callbacks; returns true when one
    /// was handled (call again), false when idle; throws `SystemdError`; sd_bus_process.
    package func processOne() throws -> Bool {
        try SystemdError.check(sd_bus_process(handle, nil), "process messages from", address, otherwise: .noBus) > 0
    }

    /// Blocks until a message may be ready or `timeout` passes; throws `SystemdError`; sd_bus_wait.
    package func wait(timeout: Duration) throws {
        let r = sd_bus_wait(handle, microseconds(timeout))
        // EINTR only means a signal arrived; the caller's loop re-checks its deadline.
        if r == -EINTR { return }
        try SystemdError.check(r, "wait for messages from", address, otherwise: .noBus)
    }

    /// Installs a local callback for a systemd signal; the returned slot removes it when freed;
    /// throws `SystemdError`; sd_bus_match_signal.
    package func matchSignal(
        path: String, interface: String, member: String,
        handler: sd_bus_message_handler_t, userdata: UnsafeMutableRawPointer
    ) throws -> BusSlot {
        // On the private socket systemd's signals carry no sender, so a sender match would drop them.
        let sender = isBusClient ? SystemdBus.destination : nil
        var slot: OpaquePointer?
        let r = sd_bus_match_signal(handle, &slot, sender, path, interface, member, handler, userdata)
        try SystemdError.check(r, "subscribe to \(member) on", address)
        guard let slot else {
            throw SystemdError(
                code: .callFailed, action: "subscribe to \(member) on", object: address, cause: "no slot was returned")
        }
        return BusSlot(handle: slot)
    }

    private static func joined(_ root: String, _ relative: String) -> String {
        root.hasSuffix("/") ? root + relative : root + "/" + relative
    }
}

/// Converts a Duration to sd-bus microseconds (0 and below become 1 µs, since 0 means "default" to sd_bus_call).
private func microseconds(_ duration: Duration) -> UInt64 {
    let (seconds, attoseconds) = duration.components
    if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 1 }
    return UInt64(seconds) * 1_000_000 + UInt64(attoseconds / 1_000_000_000_000)
}
