import FoundationEssentials

/// A file as found on disk: content, permission bits and owner.
struct ExistingFile: Equatable, Sendable {
    let data: Data
    let mode: UInt16
    let ownerUID: UInt32
}

/// The filesystem as the bootstrap steps see it. Paths are absolute on the node; an implementation
/// may place them under another root (`--root`).
protocol FileStore {
    /// The file at `path`, or nil when it does not exist.
    func readFile(_ path: String) throws -> ExistingFile?
    /// Replaces `path` atomically with `data` (temp file beside it, fsync, rename, fsync dir).
    func writeAtomically(_ path: String, data: Data, mode: UInt16) throws
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
struct FileAttributes: Equatable, Sendable {
    let isDirectory: Bool
    let mode: UInt16
    let ownerUID: UInt32
    /// Whether this process may read it (access(2)), which modes alone cannot tell for root.
    let readable: Bool
    /// Whether this process may write it (access(2)).
    let writable: Bool
    /// Last modification, seconds since the epoch (st_mtim).
    var modifiedAt: Double = 0
}

/// Names of the agent's temporary files. Dot-prefixed because the kubelet ignores dot files in
/// its manifest directory, so a half-written temp file is never taken for a pod.
enum TemporaryFileName {
    static let prefix = ".master-agent."
    static let suffix = ".tmp"

    /// A fresh temp name for writing `target` in the same directory.
    static func make(for targetName: String, unique: String) -> String { "\(prefix)\(targetName).\(unique)\(suffix)" }

    /// True for names made by `make` (leftovers of a killed run).
    static func isTemporary(_ name: String) -> Bool { name.hasPrefix(prefix) && name.hasSuffix(suffix) }
}
