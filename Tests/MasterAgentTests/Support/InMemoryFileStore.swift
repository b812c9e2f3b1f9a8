import Foundation

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// A dictionary filesystem for Runtime tests; records every write so tests can assert on them.
final class InMemoryFileStore: FileStore {
    var files: [String: ExistingFile] = [:]
    /// Like the agent run as root: a file not owned by root is a difference (writes record owner 0).
    var writesAsRoot = true
    var directories: Set<String> = []
    /// Modes of directories made by `ensureDirectory` or set by a test (0755 when absent).
    var directoryModes: [String: UInt16] = [:]
    private(set) var writes: [String] = []
    private(set) var removals: [String] = []
    /// When set, writes to this path fail with this errno.
    var failingWrite: (path: String, errno: Int32)?
    /// Modification times reported by `attributes`, by path (default 0).
    var modifiedAt: [String: Double] = [:]

    func readFile(_ path: String) throws -> ExistingFile? { files[path] }

    func writeAtomically(_ path: String, data: Data, mode: UInt16) throws {
        if let failingWrite, failingWrite.path == path {
            throw FileSystemError(.write, path: path, errno: failingWrite.errno)
        }
        files[path] = ExistingFile(data: data, mode: mode, ownerUID: 0)
        writes.append(path)
    }

    func removeFile(_ path: String) throws -> Bool {
        removals.append(path)
        return files.removeValue(forKey: path) != nil
    }

    func listDirectory(_ directory: String) throws -> [String]? {
        let prefix = directory + "/"
        let names = files.keys.filter { $0.hasPrefix(prefix) && !$0.dropFirst(prefix.count).contains("/") }.map {
            String($0.dropFirst(prefix.count))
        }
        return names.isEmpty && !directories.contains(directory) ? nil : names.sorted()
    }

    func ensureDirectory(_ directory: String, mode: UInt16) throws -> Bool {
        let inserted = directories.insert(directory).inserted
        if inserted { directoryModes[directory] = mode }
        return inserted
    }

    func attributes(_ path: String) throws -> FileAttributes? {
        if directories.contains(path) {
            return FileAttributes(
                isDirectory: true, mode: directoryModes[path] ?? 0o755, ownerUID: 0, readable: true, writable: true)
        }
        guard let file = files[path] else { return nil }
        return FileAttributes(
            isDirectory: false, mode: file.mode, ownerUID: file.ownerUID, readable: true, writable: true,
            modifiedAt: modifiedAt[path] ?? 0)
    }
}
