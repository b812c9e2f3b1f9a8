import AgentCore
import AgentPlatform
import AgentRuntime
import FoundationEssentials
import Logging

/// Takes `<root>/run/master-agent.lock` for a command that writes, telling the operator when it waits.
enum NodeLock {
    /// The lock path for `root`.
    static func path(root: String) -> String { RootedFileSystem(root: root).hostPath("/run/master-agent.lock") }

    /// Acquires the lock or throws `CommandFailure` (lock-timeout status) naming the lock file.
    static func acquire(root: String, timeout: Double, logger: Logger) throws -> FileLock {
        let path = path(root: root)
        do {
            return try FileLock.acquire(path: path, timeout: timeout) {
                logger.notice(
                    "another master-agent run holds the lock; waiting",
                    metadata: ["lock": "\(path)", "timeout": "\(Int(timeout))s"])
            }
        } catch let error as FileSystemError where error.code == .lockTimeout {
            throw CommandFailure(status: .lockTimeout, message: error.description)
        } catch {
            throw CommandFailure(status: .failure, message: "\(error)")
        }
    }
}
