import AgentCore
import AgentRuntime

/// What `render` and `bootstrap` check before writing anything: the node is not switching profiles.
enum ProfileGate {
    /// Throws `CommandFailure` with status 65 when the node records the other profile (reset first).
    static func check(config: ClusterConfig, files: FileStore) throws {
        do {
            try NodeProfileRecord.check(
                files, profile: config.kubernetes.profile, manifestDir: config.kubelet.manifestDir)
        } catch let error as ProfileSwitchError {
            throw CommandFailure(status: .invalidConfig, message: error.description)
        } catch {
            throw CommandFailure(status: .failure, message: "could not read \(NodeProfileRecord.path): \(error)")
        }
    }
}
