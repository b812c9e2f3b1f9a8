import AgentCore
import Foundation

/// The rendering profile a node was set up with, kept in `/var/lib/master-agent/profile` (one line, the
/// profile's name) so that a later render or bootstrap with the other profile is refused instead of
/// mixing two control planes' files on one node. Written by the manifests step, removed by `reset`.
package enum NodeProfileRecord {
    /// Where the record lives on the node (under `--root` when one is given).
    package static let path = "/var/lib/master-agent/profile"

    /// The recorded profile name, or nil when the node has none (never rendered, reset, or set up by a
    /// version that kept no record). Throws the file store's error when the file cannot be read.
    package static func read(_ files: FileStore) throws -> String? {
        guard let file = try files.readFile(path) else { return nil }
        let text = String(decoding: file.data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// Throws `ProfileSwitchError` when the node records a profile other than `profile`, and the file
    /// store's error when the record cannot be read. A node without a record whose `manifestDir` holds a
    /// hyperkube kube-apiserver manifest was set up by a version that kept no record: it counts as legacy.
    package static func check(_ files: FileStore, profile: RenderProfileName, manifestDir: String) throws {
        if let recorded = try read(files) {
            guard recorded != profile.rawValue else { return }
            throw ProfileSwitchError(recorded: recorded, requested: profile.rawValue, evidence: "recorded in \(path)")
        }
        let apiServer = "\(manifestDir)/kube-apiserver.yaml"
        guard profile != .legacyHyperkube, let file = try files.readFile(apiServer),
            String(decoding: file.data, as: UTF8.self).contains("hyperkube")
        else { return }
        throw ProfileSwitchError(
            recorded: RenderProfileName.legacyHyperkube.rawValue, requested: profile.rawValue,
            evidence: "its \(apiServer) runs hyperkube")
    }

    /// Records `profile`, atomically and only when the record differs, so a converged rerun writes nothing.
    /// Throws the file store's error.
    package static func write(_ files: FileStore, profile: RenderProfileName) throws {
        guard try read(files) != profile.rawValue else { return }
        _ = try files.ensureDirectory((path as NSString).deletingLastPathComponent, mode: 0o755)
        try files.writeAtomically(path, data: Data((profile.rawValue + "\n").utf8), mode: 0o644)
    }
}

/// A render or bootstrap asked for a profile other than the one the node was set up with.
package struct ProfileSwitchError: Error, Equatable, CustomStringConvertible {
    /// The profile in the node's record.
    package let recorded: String
    /// The profile of the config given now.
    package let requested: String
    /// How the agent knows the node's profile ("recorded in ...").
    package let evidence: String

    package var description: String {
        "could not set up this node with the \(requested) profile: it was set up with the \(recorded) profile "
            + "(\(evidence)), and switching profiles in place is not supported. "
            + "Run `master-agent reset` with the \(recorded) config first, then run again with the \(requested) config."
    }
}
