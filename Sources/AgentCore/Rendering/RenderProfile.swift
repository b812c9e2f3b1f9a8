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
    /// The profile implementation for this name. Throws `RenderProfileNotImplemented` for a profile the
    /// config accepts but this version cannot render yet (modern), so nothing pretends to have rendered it.
    package var profile: RenderProfile {
        get throws {
            switch self {
            case .legacyHyperkube: return LegacyHyperkubeProfile()
            case .modern: throw RenderProfileNotImplemented(profile: self)
            }
        }
    }
}

/// A profile the config accepts but this version cannot render yet.
package struct RenderProfileNotImplemented: Error, Equatable, CustomStringConvertible {
    package let profile: RenderProfileName

    package var description: String {
        "could not render the \(profile.rawValue) profile: rendering it is not implemented yet in this version. "
            + "`master-agent config validate` checks such a config fully; use the legacy-hyperkube profile to render today."
    }
}
