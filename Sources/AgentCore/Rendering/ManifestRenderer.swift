import Yams

/// Renders everything a master needs on disk from the config: pure and deterministic
/// (the same config gives the same bytes, which is what lets a rerun leave files untouched).
package enum ManifestRenderer {
    /// Mode of manifests and the unit (CIS 1.1.1-1.1.8, 4.1.1).
    package static let fileMode: UInt16 = 0o600

    /// The static-pod manifests, one `<pod name>.yaml` per pod in `kubelet.manifestDir`.
    package static func manifests(config: ClusterConfig, node: ClusterConfig.Master) throws -> [RenderedFile] {
        let profile = config.kubernetes.profile.profile
        return try profile.staticPods(config: config, node: node).map { pod in
            RenderedFile(path: "\(config.kubelet.manifestDir)/\(pod.metadata.name).yaml",
                         content: try yaml(pod), mode: fileMode, kind: .manifest)
        }
    }

    /// The kubelet unit at `kubelet.unitPath`.
    package static func kubeletUnit(config: ClusterConfig, node: ClusterConfig.Master) -> RenderedFile {
        let unit = config.kubernetes.profile.profile.kubeletUnit(config: config, node: node)
        return RenderedFile(path: config.kubelet.unitPath, content: unit.render(), mode: fileMode, kind: .unit)
    }

    /// The unit followed by the manifests, in write order.
    package static func all(config: ClusterConfig, node: ClusterConfig.Master) throws -> [RenderedFile] {
        [kubeletUnit(config: config, node: node)] + (try manifests(config: config, node: node))
    }

    /// A pod as YAML with Yams's encoder (indent 2, unlimited width, keys in model order); throws only if
    /// the model cannot be encoded (a bug in the model).
    package static func yaml(_ pod: StaticPod) throws -> String {
        let encoder = YAMLEncoder()
        encoder.options.indent = 2
        encoder.options.width = -1
        encoder.options.sortKeys = false
        return try encoder.encode(pod)
    }
}
