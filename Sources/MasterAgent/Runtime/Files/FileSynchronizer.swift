import FoundationEssentials
import Glibc
import Logging

/// Brings rendered files onto the node: writes only what differs, atomically, and reports each file
/// as created, updated or unchanged. In a dry run it computes the same reports with diffs and writes nothing.
struct FileSynchronizer {
    let store: FileStore
    let dryRun: Bool
    let logger: Logger

    /// Writes each of `files` whose content or mode differs from disk.
    /// Throws `FileSystemError` (or the store's error) on the first failed write; earlier files stay written.
    func sync(_ files: [RenderedFile]) throws -> [FileReport] {
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
            case let current? where current.mode != file.mode || (isRoot && current.ownerUID != 0):
                report = FileReport(path: file.path, action: .updated,
                                    detail: "mode \(NumberText.zeroPadded(Int(current.mode), width: 4, radix: 8)) -> \(NumberText.zeroPadded(Int(file.mode), width: 4, radix: 8))")
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
    func removeLeftoverTemporaryFiles(in directory: String) throws -> [FileReport] {
        let leftovers = (try store.listDirectory(directory) ?? []).filter(TemporaryFileName.isTemporary)
        return try leftovers.map { name in
            let path = "\(directory)/\(name)"
            if !dryRun { try store.removeFile(path) }
            return FileReport(path: path, action: .removed, detail: "leftover temporary file of an interrupted run")
        }
    }

    /// Removes other files in the manifest directory that define one of `manifests`' pods under another
    /// name (the document's `kube-apiserver` beside our `kube-apiserver.yaml`): the kubelet would run both.
    func removeDuplicatePods(of manifests: [RenderedFile], in directory: String) throws -> [FileReport] {
        var ours: [String: String] = [:]
        for manifest in manifests where manifest.kind == .manifest {
            if let identity = Self.podIdentity(manifest.content) { ours[identity] = manifest.path.lastPathComponent }
        }
        let ourNames = Set(manifests.map { $0.path.lastPathComponent })
        var reports: [FileReport] = []
        for name in try store.listDirectory(directory) ?? [] where !ourNames.contains(name) && !name.hasPrefix(".") {
            let path = "\(directory)/\(name)"
            guard let file = try store.readFile(path), let text = String(validating: file.data, as: UTF8.self),
                  let identity = Self.podIdentity(text), let twin = ours[identity] else { continue }
            if !dryRun { try store.removeFile(path) }
            reports.append(FileReport(path: path, action: .removed,
                                      detail: "defines pod \(identity) like \(twin); the kubelet would run it twice"))
        }
        return reports
    }

    private var isRoot: Bool { geteuid() == 0 }

    // "namespace/name" of a manifest that is a Pod, nil for anything else (other kinds, bad YAML).
    // String values are read as Yams.load read them, so `name: 123` is not a name.
    static func podIdentity(_ text: String) -> String? {
        // Any file may sit in the manifest directory. One nested deeper than composing and freeing a tree
        // stays safe for (YAMLParserTests composes 5000 levels) is no pod the kubelet would run either;
        // the bounds are ten times the config's, so large JSON manifests still count.
        guard YAMLDocumentLimits.nestingProblem(in: text, maxBlockNesting: 2000, maxFlowCollections: 5000) == nil,
              let root = try? YAMLParser.compose(text), let object = stringKeyedFields(root),
              object["kind"]?.stringValue == "Pod",
              let metadata = object["metadata"].flatMap(stringKeyedFields),
              let name = metadata["name"]?.stringValue else { return nil }
        return "\(metadata["namespace"]?.stringValue ?? "default")/\(name)"
    }

    // A mapping by the text of its scalar keys, as Yams.load made every scalar key a string; the last of
    // duplicates wins. A list or mapping as a key makes it no pod manifest.
    private static func stringKeyedFields(_ node: YAMLNode) -> [String: YAMLNode]? {
        guard case .mapping(let mapping) = node else { return nil }
        var fields: [String: YAMLNode] = [:]
        for pair in mapping.pairs {
            guard case .scalar(let key) = pair.key else { return nil }
            fields[key.string] = pair.value
        }
        return fields
    }

    private func diff(_ old: Data?, _ file: RenderedFile) -> String {
        UnifiedDiff.diff(old: old.flatMap { String(data: $0, encoding: .utf8) } ?? "", new: file.content,
                         oldLabel: old == nil ? "/dev/null" : "a\(file.path)", newLabel: "b\(file.path)")
    }
}
