/// What a rendering profile produces for one master: its static pods, the kubelet unit, and the files and
/// directories those read. A new profile is a new conforming type; existing profiles' output stays untouched.
package protocol RenderProfile {
    /// The static pods, in the order they are written.
    func staticPods(config: ClusterConfig, node: ClusterConfig.Master) -> [StaticPod]
    /// The kubelet's systemd unit.
    func kubeletUnit(config: ClusterConfig, node: ClusterConfig.Master) -> SystemdUnit
    /// Configuration files the pods and the kubelet read, in write order (none for legacy).
    /// Throws only if a model cannot be encoded (a bug in the model).
    func supportingFiles(config: ClusterConfig, node: ClusterConfig.Master) throws -> [RenderedFile]
    /// Directories the pods need before they start, created with their mode (none for legacy).
    func directories(config: ClusterConfig, node: ClusterConfig.Master) -> [RenderedDirectory]
}

extension RenderProfileName {
    /// The profile implementation for this name.
    package var profile: RenderProfile {
        switch self {
        case .legacyHyperkube: return LegacyHyperkubeProfile()
        case .modern: return ModernProfile()
        }
    }
}
