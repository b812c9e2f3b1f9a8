import AgentCore
import Foundation
import Logging

/// Brings rendered files onto the node: writes only what differs, atomically, and reports each file
/// as created, updated or unchanged. In a dry run it computes the same reports with diffs and writes nothing.
package struct FileSynchronizer {
    package let store: FileStore
    package let dryRun: Bool
    package let logger: Logger

    /// Writes each of `files` whose content or mode differs from disk.
    /// Throws `FileSystemError` (or the store's error) on the first failed write; earlier files stay written.
    package func sync(_ files: [RenderedFile]) throws -> [FileReport] {
        var reports: [FileReport] = []
        for file in files {
            let desired = Data(file.content.utf8)
            let existing = try store.readFile(file.path)
            let report: FileReport
            switch existing {
            case nil:
                report = FileReport(path: file.path, action: .created, diff: dryRun ? diff(nil, file) : nil)
            case let current? where current.data != desired:
                report = FileReport(path: file.path, action: .updated, diff: dryRun ? diff(current.data, file) : nil)
            case let current? where current.mode != file.mode || (store.writesAsRoot && current.ownerUID != 0):
                report = FileReport(
                    path: file.path, action: .updated,
                    detail: String(format: "mode %04o -> %04o", current.mode, file.mode))
            default:
                report = FileReport(path: file.path, action: .unchanged)
            }
            if !dryRun && report.action != .unchanged {
                try store.writeAtomically(file.path, data: desired, mode: file.mode)
            }
            logger.debug("file synced", metadata: ["path": "\(file.path)", "action": "\(report.action.rawValue)"])
            reports.append(report)
        }
        return reports
    }

    /// Creates `directory` with its mode when it is missing (a dry run only reports it). An existing directory
    /// is left as it is: its mode is reported when it differs, never changed behind the operator's back.
    /// Throws `FileSynchronizerError` when something else is at the path, and the store's error.
    package func ensureDirectory(_ directory: RenderedDirectory) throws -> FileReport {
        let wanted = String(format: "%04o", directory.mode)
        guard let existing = try store.attributes(directory.path) else {
            if !dryRun { _ = try store.ensureDirectory(directory.path, mode: directory.mode) }
            return FileReport(path: directory.path, action: .created, detail: "directory, mode \(wanted)")
        }
        guard existing.isDirectory else {
            throw FileSynchronizerError(
                path: directory.path, reason: "is not a directory; remove it so the agent can create the directory")
        }
        guard existing.mode != directory.mode else { return FileReport(path: directory.path, action: .unchanged) }
        return FileReport(
            path: directory.path, action: .unchanged,
            detail: String(
                format: "directory mode %04o, expected %@; left as it is (chmod %@ it)", existing.mode, wanted, wanted))
    }

    /// Removes temp files that a killed run left in `directory`; they are dot files, so harmless, but clutter.
    package func removeLeftoverTemporaryFiles(in directory: String) throws -> [FileReport] {
        let leftovers = (try store.listDirectory(directory) ?? []).filter(TemporaryFileName.isTemporary)
        return try leftovers.map { name in
            let path = "\(directory)/\(name)"
            if !dryRun { try store.removeFile(path) }
            return FileReport(path: path, action: .removed, detail: "leftover temporary file of an interrupted run")
        }
    }

    /// Removes other files in the manifest directory that define one of `manifests`' pods under another
    /// name (the document's `kube-apiserver` beside our `kube-apiserver.yaml`): the kubelet would run both.
    package func removeDuplicatePods(of manifests: [RenderedFile], in directory: String) throws -> [FileReport] {
        var ours: [String: String] = [:]
        for manifest in manifests where manifest.kind == .manifest {
            if let identity = StaticPodIdentity.of(manifest.content) {
                ours[identity] = (manifest.path as NSString).lastPathComponent
            }
        }
        let ourNames = Set(manifests.map { ($0.path as NSString).lastPathComponent })
        var reports: [FileReport] = []
        for name in try store.listDirectory(directory) ?? [] where !ourNames.contains(name) && !name.hasPrefix(".") {
            let path = "\(directory)/\(name)"
            guard let file = try store.readFile(path), let text = String(validating: file.data, as: UTF8.self),
                let identity = StaticPodIdentity.of(text), let twin = ours[identity]
            else { continue }
            if !dryRun { try store.removeFile(path) }
            reports.append(
                FileReport(
                    path: path, action: .removed,
                    detail: "defines pod \(identity) like \(twin); the kubelet would run it twice"))
        }
        return reports
    }

    private func diff(_ old: Data?, _ file: RenderedFile) -> String {
        UnifiedDiff.diff(
            old: old.flatMap { String(data: $0, encoding: .utf8) } ?? "", new: file.content,
            oldLabel: old == nil ? "/dev/null" : "a\(file.path)", newLabel: "b\(file.path)")
    }
}

/// A path the synchronizer cannot bring into shape; the reason says what to do.
package struct FileSynchronizerError: Error, CustomStringConvertible {
    package let path: String
    package let reason: String
    package var description: String { "could not create \(path): it \(reason)" }
}
