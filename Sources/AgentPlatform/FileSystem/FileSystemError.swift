import AgentCore
import AgentRuntime
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// A failed filesystem call, with the path, the operation and errno's own words.
package struct FileSystemError: Error, CustomStringConvertible, Equatable {
    package enum Code: String, Equatable { case read, write, rename, remove, list, createDirectory, lock, lockTimeout }
    package let code: Code
    package let path: String
    package let errno: Int32
    package let detail: String

    package init(_ code: Code, path: String, errno: Int32, detail: String = "") {
        self.code = code
        self.path = path
        self.errno = errno
        self.detail = detail
    }

    package var description: String {
        let verb: String
        switch code {
        case .read: verb = "read"
        case .write: verb = "write"
        case .rename: verb = "replace"
        case .remove: verb = "remove"
        case .list: verb = "list"
        case .createDirectory: verb = "create directory"
        case .lock, .lockTimeout: verb = "lock"
        }
        if code == .lockTimeout { return "could not lock \(path): \(detail)" }
        let cause = String(cString: strerror(errno))
        var hint = ""
        switch errno {
        case ENOSPC:
            hint = " (ENOSPC). Free space on that filesystem and run again; the previous file was left as it was."
        case EACCES, EPERM: hint = ". Run as root, or pass --root DIR to write elsewhere."
        case EROFS: hint = ". The filesystem is read-only."
        default: hint = "."
        }
        return "could not \(verb) \(path): \(cause)\(detail.isEmpty ? "" : " (\(detail))")\(hint)"
    }
}
