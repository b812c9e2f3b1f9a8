import AgentCore
import AgentRuntime
import CSystemd
import FoundationEssentials
import Glibc

/// A failed sd-bus or sd-journal operation, keeping the D-Bus error name and message systemd gave.
package struct SystemdError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, for callers and tests to compare.
    package enum Code: String, Equatable {
        /// No bus to talk to (no systemd as PID 1, a chroot, a missing socket).
        case noBus
        /// The caller lacks the rights (EACCES/EPERM, org.freedesktop.DBus.Error.AccessDenied).
        case permissionDenied
        /// systemd does not know the unit (org.freedesktop.systemd1.NoSuchUnit).
        case noSuchUnit
        /// Any other failed call; `busErrorName` says which.
        case callFailed
        /// The reply did not have the shape this code expects.
        case invalidReply
        /// A job did not finish within the allowed time.
        case jobTimeout
        /// Opening or reading the journal failed.
        case journalFailed
    }

    /// D-Bus error name systemd uses for an unknown unit.
    package static let noSuchUnitName = "org.freedesktop.systemd1.NoSuchUnit"

    /// What went wrong.
    package let code: Code
    /// The verb of the message, e.g. "call StartUnit on" or "connect to".
    package let action: String
    /// The object acted on, e.g. "kubelet.service" or a bus address.
    package let object: String
    /// The D-Bus error name when the peer sent one (org.freedesktop.systemd1.NoSuchUnit).
    package let busErrorName: String?
    /// The library's or peer's own words.
    package let cause: String
    /// The errno behind the failure, when there is one (positive).
    package let errno: Int32?

    /// Builds an error from its parts; `code` decides the next step printed.
    package init(
        code: Code, action: String, object: String, busErrorName: String? = nil, cause: String, errno: Int32? = nil
    ) {
        self.code = code
        self.action = action
        self.object = object
        self.busErrorName = busErrorName
        self.cause = cause
        self.errno = errno
    }

    /// Reads "could not VERB OBJECT: CAUSE. NEXT STEP".
    package var description: String {
        let named = busErrorName.map { "\($0): \(cause)" } ?? cause
        return "could not \(action) \(object): \(named). \(nextStep)"
    }

    private var nextStep: String {
        switch code {
        case .noBus:
            return "Is systemd running as PID 1 here? In a chroot or image build, enable the unit offline with --root."
        case .permissionDenied:
            return "Run master-agent as root."
        case .noSuchUnit:
            return "Check the unit name and that its unit file exists, then reload systemd."
        case .callFailed:
            return "See `systemctl status` and `journalctl -xe` for systemd's side."
        case .invalidReply:
            return "This systemd answered in an unexpected shape; report it with the output of `systemctl --version`."
        case .jobTimeout:
            return "See `systemctl status \(object)` and `journalctl -u \(object)`."
        case .journalFailed:
            return "Check that the journal directory exists and is readable (run as root)."
        }
    }

    /// Turns an sd-bus/sd-journal return code into `SystemdError` (or passes it through when >= 0);
    /// `busError` wins over the errno when set; EACCES/EPERM become `.permissionDenied`.
    @discardableResult
    package static func check(
        _ result: Int32,
        _ action: @autoclosure () -> String,
        _ object: @autoclosure () -> String,
        busError: UnsafePointer<sd_bus_error>? = nil,
        otherwise code: Code = .callFailed
    ) throws -> Int32 {
        if result >= 0 { return result }
        let number = -result
        if let busError, sd_bus_error_is_set(busError) != 0 {
            let name = busError.pointee.name.map { String(cString: $0) }
            let message = busError.pointee.message.map { String(cString: $0) } ?? String(cString: strerror(number))
            let classified: Code
            switch name {
            case noSuchUnitName?: classified = .noSuchUnit
            case "org.freedesktop.DBus.Error.AccessDenied"?,
                "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired"?:
                classified = .permissionDenied
            default: classified = (number == EACCES || number == EPERM) ? .permissionDenied : code
            }
            throw SystemdError(
                code: classified, action: action(), object: object(), busErrorName: name, cause: message, errno: number)
        }
        let classified: Code = (number == EACCES || number == EPERM) ? .permissionDenied : code
        throw SystemdError(
            code: classified, action: action(), object: object(), cause: String(cString: strerror(number)),
            errno: number)
    }
}
