import AgentCore
import AgentRuntime

/// What `render` and `bootstrap` check before writing anything: the node is not switching profiles, and
/// the config's profile can be rendered by this version.
enum ProfileGate {
    /// Throws `CommandFailure` with status 65 when the node records the other profile (reset first), and
    /// with status 69 when the config's profile cannot be rendered yet (modern).
    static func check(config: ClusterConfig, files: FileStore) throws {
        do {
            try NodeProfileRecord.check(
                files, profile: config.kubernetes.profile, manifestDir: config.kubelet.manifestDir)
        } catch let error as ProfileSwitchError {
            throw CommandFailure(status: .invalidConfig, message: error.description)
        } catch {
            throw CommandFailure(status: .failure, message: "could not read \(NodeProfileRecord.path): \(error)")
        }
        do {
            _ = try config.kubernetes.profile.profile
        } catch let error as RenderProfileNotImplemented {
            throw CommandFailure(status: .notImplemented, message: error.description)
        }
    }
}
