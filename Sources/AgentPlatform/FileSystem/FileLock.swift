import AgentCore
import AgentRuntime
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on a lock file, held until this value is released or deinitialized,
/// so two agent runs on one node never write at the same time.
package final class FileLock {
    package let path: String
    private var fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    /// Takes the lock at `path` (creating it and its directory), waiting up to `timeout` seconds.
    /// Calls `onWait` once if another process holds it. Throws `FileSystemError` (.lock, .lockTimeout).
    package static func acquire(path: String, timeout: Double, onWait: () -> Void) throws -> FileLock {
        let directory = (path as NSString).deletingLastPathComponent
        _ = try RootedFileSystem(root: "/").ensureDirectory(directory, mode: 0o755)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileSystemError(.lock, path: path, errno: errno) }
        let deadline = Date().addingTimeInterval(timeout)
        var announced = false
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let failure = errno
            guard failure == EWOULDBLOCK || failure == EINTR else {
                close(fd)
                throw FileSystemError(.lock, path: path, errno: failure)
            }
            if !announced { onWait(); announced = true }
            if Date() >= deadline {
                close(fd)
                throw FileSystemError(
                    .lockTimeout, path: path, errno: failure,
                    detail:
                        "another master-agent run held it for more than \(Int(timeout)) s. Wait for it to finish, or raise --lock-timeout"
                )
            }
            usleep(50_000)
        }
        return FileLock(path: path, fd: fd)
    }

    /// Releases the lock now.
    package func release() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
    }

    deinit { release() }
}
