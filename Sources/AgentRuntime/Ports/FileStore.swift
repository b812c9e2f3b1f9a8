import AgentCore
import FoundationEssentials

/// A file as found on disk: content, permission bits and owner.
package struct ExistingFile: Equatable, Sendable {
    package let data: Data
    package let mode: UInt16
    package let ownerUID: UInt32

    package init(data: Data, mode: UInt16, ownerUID: UInt32) {
        self.data = data
        self.mode = mode
        self.ownerUID = ownerUID
    }
}

/// The filesystem as the bootstrap steps see it. Paths are absolute on the node; an implementation
/// may place them under another root (`--root`).
package protocol FileStore {
    /// True when files this store writes end up owned by root (the agent runs as root), so an owner
    /// other than root is a difference to correct and to report.
    var writesAsRoot: Bool { get }
    /// The file at `path`, or nil when it does not exist.
    func readFile(_ path: String) throws -> ExistingFile?
    /// Replaces `path` atomically with `data` (temp file beside it, fsync, rename, fsync dir).
    func writeAtomically(_ path: String, data: Data, mode: UInt16) throws
    /// Writes each file of `batch` as `writeAtomically(_:data:mode:)` does, renaming them into place in order; an
    /// implementation may share the flushes (all data durable, then the renames, then one flush per directory).
    func writeAtomically(_ batch: [FileWrite]) throws
    /// Removes the file (or symlink itself) at `path`; true when there was one, false when it was already missing.
    @discardableResult func removeFile(_ path: String) throws -> Bool
    /// The entry names in `directory` (dot files included), or nil when it does not exist.
    func listDirectory(_ directory: String) throws -> [String]?
    /// Creates `directory` and its parents when missing; true when it had to create it.
    func ensureDirectory(_ directory: String, mode: UInt16) throws -> Bool
    /// Type, mode and owner of `path` without reading it, or nil when it does not exist.
    func attributes(_ path: String) throws -> FileAttributes?
}

/// What `stat` says about a path.
package struct FileAttributes: Equatable, Sendable {
    package let isDirectory: Bool
    package let mode: UInt16
    package let ownerUID: UInt32
    /// Whether this process may read it (access(2)), which modes alone cannot tell for root.
    package let readable: Bool
    /// Whether this process may write it (access(2)).
    package let writable: Bool
    /// Last modification, seconds since the epoch (st_mtim).
    package var modifiedAt: Double = 0

    package init(
        isDirectory: Bool, mode: UInt16, ownerUID: UInt32, readable: Bool, writable: Bool, modifiedAt: Double = 0
    ) {
        self.isDirectory = isDirectory
        self.mode = mode
        self.ownerUID = ownerUID
        self.readable = readable
        self.writable = writable
        self.modifiedAt = modifiedAt
    }
}

/// Names of the agent's temporary files. Dot-prefixed because the kubelet ignores dot files in
/// its manifest directory, so a half-written temp file is never taken for a pod.
package enum TemporaryFileName {
    package static let prefix = ".master-agent."
    package static let suffix = ".tmp"

    /// A fresh temp name for writing `target` in the same directory.
    package static func make(for targetName: String, unique: String) -> String {
        "\(prefix)\(targetName).\(unique)\(suffix)"
    }

    /// True for names made by `make` (leftovers of a killed run).
    package static func isTemporary(_ name: String) -> Bool { name.hasPrefix(prefix) && name.hasSuffix(suffix) }
}

/// One file of a batch write: what `writeAtomically(_:data:mode:)` takes.
package struct FileWrite: Equatable, Sendable {
    package let path: String
    package let data: Data
    package let mode: UInt16

    package init(path: String, data: Data, mode: UInt16) {
        self.path = path
        self.data = data
        self.mode = mode
    }
}

extension FileStore {
    /// One file after the other, each flushed on its own.
    package func writeAtomically(_ batch: [FileWrite]) throws {
        for file in batch { try writeAtomically(file.path, data: file.data, mode: file.mode) }
    }
}
