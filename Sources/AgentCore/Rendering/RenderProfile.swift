/// What a rendering profile produces for one master: its static pods and the kubelet unit.
/// A new profile (say, modern Kubernetes with kubeconfigs) is a new conforming type; existing
/// profiles' output stays untouched.
package protocol RenderProfile {
    /// The static pods, in the order they are written.
    func staticPods(config: ClusterConfig, node: ClusterConfig.Master) -> [StaticPod]
    /// The kubelet's systemd unit.
    func kubeletUnit(config: ClusterConfig, node: ClusterConfig.Master) -> SystemdUnit
}

extension RenderProfileName {
    /// The profile implementation for this name.
    package var profile: RenderProfile {
        switch self {
        case .legacyHyperkube: return LegacyHyperkubeProfile()
        }
    }
}
