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
