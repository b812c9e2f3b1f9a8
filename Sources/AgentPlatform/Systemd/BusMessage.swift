import AgentCore
import AgentRuntime
import CSystemd
import FoundationEssentials
import Glibc

/// Owner of one `sd_bus_message*`: appends arguments to a call and reads a reply or signal in order.
package final class BusMessage {
    /// The owned message; unreferenced in deinit.
    package let handle: OpaquePointer
    /// Names the call in errors ("StartUnit"), so a bad reply says which one.
    package let context: String

    /// Takes over one reference the caller already holds (from sd_bus_call or new_method_call).
    package init(adopting handle: OpaquePointer, context: String) {
        self.handle = handle
        self.context = context
    }

    /// Takes a new reference on a message the library lends (a signal in a callback); sd_bus_message_ref.
    package init(borrowing handle: OpaquePointer, context: String) {
        self.handle = sd_bus_message_ref(handle)
        self.context = context
    }

    deinit {
        sd_bus_message_unref(handle)
    }

    // MARK: Appending (sd_bus_message_append_basic / append_strv; both non-variadic)

    /// Appends a string ("s"); throws `SystemdError`; sd_bus_message_append_basic.
    package func append(_ value: String) throws {
        try appendString(value, type: "s")
    }

    /// Appends an object path ("o"); throws `SystemdError`; sd_bus_message_append_basic.
    package func append(objectPath value: String) throws {
        try appendString(value, type: "o")
    }

    /// Appends a boolean ("b"); throws `SystemdError`; sd_bus_message_append_basic.
    package func append(_ value: Bool) throws {
        var flag: Int32 = value ? 1 : 0
        let r = withUnsafePointer(to: &flag) { sd_bus_message_append_basic(handle, typeCode("b"), $0) }
        try SystemdError.check(r, "build \(context) for", "systemd")
    }

    /// Appends an array of strings ("as"); throws `SystemdError`; sd_bus_message_append_strv.
    package func append(_ values: [String]) throws {
        var strings: [UnsafeMutablePointer<CChar>?] = values.map { strdup($0) } + [nil]
        defer { strings.forEach { free($0) } }
        let r = strings.withUnsafeMutableBufferPointer { sd_bus_message_append_strv(handle, $0.baseAddress) }
        try SystemdError.check(r, "build \(context) for", "systemd")
    }

    private func appendString(_ value: String, type: Character) throws {
        let r = value.withCString { sd_bus_message_append_basic(handle, typeCode(type), $0) }
        try SystemdError.check(r, "build \(context) for", "systemd")
    }

    // MARK: Reading (sd_bus_message_read_basic / read_strv / enter_container)

    /// Reads a string or object path ("s" or "o"); throws `SystemdError` `.invalidReply`.
    package func readString(type: Character = "s") throws -> String {
        var value: UnsafePointer<CChar>?
        let r = sd_bus_message_read_basic(handle, typeCode(type), &value)
        try requireValue(r, "\(type)")
        return value.map { String(cString: $0) } ?? ""
    }

    /// Reads a boolean ("b"); throws `SystemdError` `.invalidReply`.
    package func readBool() throws -> Bool {
        var value: Int32 = 0
        try requireValue(sd_bus_message_read_basic(handle, typeCode("b"), &value), "b")
        return value != 0
    }

    /// Reads an unsigned 32-bit integer ("u"); throws `SystemdError` `.invalidReply`.
    package func readUInt32() throws -> UInt32 {
        var value: UInt32 = 0
        try requireValue(sd_bus_message_read_basic(handle, typeCode("u"), &value), "u")
        return value
    }

    /// Reads an unsigned 64-bit integer ("t"); throws `SystemdError` `.invalidReply`.
    package func readUInt64() throws -> UInt64 {
        var value: UInt64 = 0
        try requireValue(sd_bus_message_read_basic(handle, typeCode("t"), &value), "t")
        return value
    }

    /// Reads an array of strings ("as"); throws `SystemdError` `.invalidReply`; sd_bus_message_read_strv.
    package func readStringArray() throws -> [String] {
        var list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        try requireValue(sd_bus_message_read_strv(handle, &list), "as")
        guard let list else { return [] }
        defer { free(list) }
        var result: [String] = []
        var index = 0
        while let item = list[index] {
            result.append(String(cString: item))
            free(item)
            index += 1
        }
        return result
    }

    /// Enters a container ("a", "r", "v") with the given contents; returns false at the end of
    /// an enclosing array; throws `SystemdError` `.invalidReply`; sd_bus_message_enter_container.
    @discardableResult
    package func enterContainer(_ type: Character, _ contents: String) throws -> Bool {
        let r = contents.withCString { sd_bus_message_enter_container(handle, typeCode(type), $0) }
        try SystemdError.check(
            r, "read the reply of \(context) (\(type)\(contents)) from", "systemd", otherwise: .invalidReply)
        return r > 0
    }

    /// Leaves the container entered last; throws `SystemdError` `.invalidReply`; sd_bus_message_exit_container.
    package func exitContainer() throws {
        try SystemdError.check(
            sd_bus_message_exit_container(handle), "read the reply of \(context) from", "systemd",
            otherwise: .invalidReply)
    }

    // A read returning 0 means the message ended early: as bad as a type mismatch for us.
    private func requireValue(_ r: Int32, _ type: String) throws {
        try SystemdError.check(r, "read the reply of \(context) (\(type)) from", "systemd", otherwise: .invalidReply)
        if r == 0 {
            throw SystemdError(
                code: .invalidReply, action: "read the reply of \(context) (\(type)) from", object: "systemd",
                cause: "the message ended before the expected value")
        }
    }
}

private func typeCode(_ type: Character) -> CChar {
    CChar(type.asciiValue!)
}
