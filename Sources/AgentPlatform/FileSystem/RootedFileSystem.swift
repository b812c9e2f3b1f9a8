import AgentCore
import AgentRuntime
import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The real filesystem, with every node path placed under `root` (`--root`, default "/").
/// Implements `FileStore` with POSIX calls so that atomicity and fsync are explicit.
package final class RootedFileSystem: FileStore {
    package let root: String

    /// True when this process is root (geteuid), so written files are owned by root.
    package var writesAsRoot: Bool { geteuid() == 0 }

    package init(root: String) {
        self.root = root == "/" ? "" : (root.hasSuffix("/") ? String(root.dropLast()) : root)
    }

    /// The host path of a node path.
    package func hostPath(_ path: String) -> String { root + path }

    package func readFile(_ path: String) throws -> ExistingFile? {
        let full = hostPath(path)
        let fd = open(full, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw FileSystemError(.read, path: full, errno: errno)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileSystemError(.read, path: full, errno: errno) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw FileSystemError(.read, path: full, errno: errno)
            }
            if count == 0 { break }
            data.append(buffer, count: count)
        }
        return ExistingFile(data: data, mode: UInt16(info.st_mode & 0o7777), ownerUID: info.st_uid)
    }

    package func writeAtomically(_ path: String, data: Data, mode: UInt16) throws {
        let full = hostPath(path)
        let directory = (full as NSString).deletingLastPathComponent
        let name = (full as NSString).lastPathComponent
        let temp =
            "\(directory)/\(TemporaryFileName.make(for: name, unique: "\(getpid()).\(UInt32.random(in: 0...UInt32.max))"))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(mode))
        guard fd >= 0 else { throw FileSystemError(.write, path: full, errno: errno) }
        var committed = false
        defer { if !committed { unlink(temp) } }
        do {
            defer { close(fd) }
            // The umask may have narrowed the mode given to open; set it exactly.
            guard fchmod(fd, mode_t(mode)) == 0 else { throw FileSystemError(.write, path: full, errno: errno) }
            if writesAsRoot { _ = fchown(fd, 0, 0) }
            if let failed = data.withUnsafeBytes({ Self.writeAll($0, to: fd) }) {
                throw FileSystemError(.write, path: full, errno: failed)
            }
            guard fsync(fd) == 0 else { throw FileSystemError(.write, path: full, errno: errno) }
        }
        guard rename(temp, full) == 0 else { throw FileSystemError(.rename, path: full, errno: errno) }
        committed = true
        // The rename is durable only once the directory entry is on disk.
        let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            close(dirFD)
        }
    }

    /// Writes every file of `batch` to a temp file beside it, flushes them all at once (concurrent fsyncs share the
    /// journal commits), renames them into place in order and flushes each directory once: a batch costs about
    /// what one file does, and each file is still either its old or its new content after a crash.
    package func writeAtomically(_ batch: [FileWrite]) throws {
        var temps: [(temp: String, full: String, fd: Int32)] = []
        var committed = 0
        defer {
            for (index, entry) in temps.enumerated() {
                if entry.fd >= 0 { close(entry.fd) }
                if index >= committed { unlink(entry.temp) }
            }
        }
        for file in batch {
            let full = hostPath(file.path)
            let directory = (full as NSString).deletingLastPathComponent
            let name = (full as NSString).lastPathComponent
            let temp =
                "\(directory)/\(TemporaryFileName.make(for: name, unique: "\(getpid()).\(UInt32.random(in: 0...UInt32.max))"))"
            let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(file.mode))
            guard fd >= 0 else { throw FileSystemError(.write, path: full, errno: errno) }
            temps.append((temp, full, fd))
            guard fchmod(fd, mode_t(file.mode)) == 0 else { throw FileSystemError(.write, path: full, errno: errno) }
            if writesAsRoot { _ = fchown(fd, 0, 0) }
            if let failed = file.data.withUnsafeBytes({ Self.writeAll($0, to: fd) }) {
                throw FileSystemError(.write, path: full, errno: failed)
            }
        }
        let descriptors = temps.map(\.fd)
        let failures = Mutex<[Int: Int32]>([:])
        DispatchQueue.concurrentPerform(iterations: descriptors.count) { index in
            if fsync(descriptors[index]) != 0 {
                let code = errno
                failures.withLock { $0[index] = code }
            }
        }
        if let (index, code) = failures.withLock({ $0.min { $0.key < $1.key } }) {
            throw FileSystemError(.write, path: temps[index].full, errno: code)
        }
        for entry in temps {
            guard rename(entry.temp, entry.full) == 0 else {
                throw FileSystemError(.rename, path: entry.full, errno: errno)
            }
            committed += 1
        }
        for directory in Set(temps.map { ($0.full as NSString).deletingLastPathComponent }) {
            let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if dirFD >= 0 {
                _ = fsync(dirFD)
                close(dirFD)
            }
        }
    }

    /// Writes all of `bytes` to `descriptor` with write(2), retrying EINTR; nil when done, else the errno
    /// of the failed write (EIO for a write that made no progress, which would otherwise loop forever).
    /// Our own loop rather than FileHandle: the caller needs the errno (ENOSPC, EDQUOT) for its error.
    private static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            if written == 0 { return EIO }
            offset += written
        }
        return nil
    }

    @discardableResult package func removeFile(_ path: String) throws -> Bool {
        let full = hostPath(path)
        if unlink(full) == 0 { return true }
        if errno == ENOENT { return false }
        throw FileSystemError(.remove, path: full, errno: errno)
    }

    package func listDirectory(_ directory: String) throws -> [String]? {
        let full = hostPath(directory)
        guard let dir = opendir(full) else {
            if errno == ENOENT { return nil }
            throw FileSystemError(.list, path: full, errno: errno)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    package func ensureDirectory(_ directory: String, mode: UInt16) throws -> Bool {
        let full = hostPath(directory)
        var info = stat()
        if stat(full, &info) == 0 { return false }
        var current = ""
        var created = false
        for component in full.split(separator: "/") {
            current += "/" + component
            if stat(current, &info) == 0 { continue }
            // Only the directory asked for gets `mode`; parents get the usual 0755.
            let isTarget = current == full
            if mkdir(current, isTarget ? mode_t(mode) : 0o755) != 0 && errno != EEXIST {
                throw FileSystemError(.createDirectory, path: current, errno: errno)
            }
            if isTarget { _ = chmod(current, mode_t(mode)) }
            created = true
        }
        return created
    }

    package func attributes(_ path: String) throws -> FileAttributes? {
        let full = hostPath(path)
        var info = stat()
        guard stat(full, &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw FileSystemError(.read, path: full, errno: errno)
        }
        return FileAttributes(
            isDirectory: info.st_mode & S_IFMT == S_IFDIR, mode: UInt16(info.st_mode & 0o7777), ownerUID: info.st_uid,
            readable: access(full, R_OK) == 0, writable: access(full, W_OK) == 0,
            modifiedAt: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
    }
}

extension RootedFileSystem: SymlinkStore {
    package func ensureSymlink(_ link: String, target: String) throws -> Bool {
        let full = hostPath(link)
        var buffer = [CChar](repeating: 0, count: 4097)
        let length = readlink(full, &buffer, 4096)
        if length >= 0 && String(cString: Array(buffer[0..<length]) + [0]) == target { return false }
        _ = try ensureDirectory((link as NSString).deletingLastPathComponent, mode: 0o755)
        if length >= 0 { unlink(full) }
        // The target is the node path (as systemctl --root writes it), valid once the tree is booted.
        guard symlink(target, full) == 0 else { throw FileSystemError(.write, path: full, errno: errno) }
        return true
    }
}
