import Yams

/// Renders everything a master needs on disk from the config: pure and deterministic
/// (the same config gives the same bytes, which is what lets a rerun leave files untouched).
package enum ManifestRenderer {
    /// Mode of manifests, the unit and the configuration files (CIS 1.1.1-1.1.8, 4.1.1).
    package static let fileMode: UInt16 = 0o600

    /// The static-pod manifests, one `<pod name>.yaml` per pod in `kubelet.manifestDir`.
    package static func manifests(config: ClusterConfig, node: ClusterConfig.Master) throws -> [RenderedFile] {
        try manifests(config: config, node: node, certificateDigests: [:])
    }

    /// The manifests with `CertificateRestartAnnotation` on the modern pods whose certificates have a digest in
    /// `certificateDigests` (hex, by tree entry name); legacy manifests never carry it.
    package static func manifests(
        config: ClusterConfig, node: ClusterConfig.Master, certificateDigests: [String: String]
    ) throws -> [RenderedFile] {
        let pods =
            config.kubernetes.profile == .modern
            ? ModernProfile().staticPods(config: config, node: node, certificateDigests: certificateDigests)
            : config.kubernetes.profile.profile.staticPods(config: config, node: node)
        return try pods.map { pod in
            RenderedFile(
                path: "\(config.kubelet.manifestDir)/\(pod.metadata.name).yaml",
                content: try yaml(pod), mode: fileMode, kind: .manifest)
        }
    }

    /// The kubelet unit at `kubelet.unitPath`.
    package static func kubeletUnit(config: ClusterConfig, node: ClusterConfig.Master) throws -> RenderedFile {
        let unit = config.kubernetes.profile.profile.kubeletUnit(config: config, node: node)
        return RenderedFile(path: config.kubelet.unitPath, content: unit.render(), mode: fileMode, kind: .unit)
    }

    /// The configuration files the profile's pods and kubelet read (none for legacy), in write order.
    package static func supportingFiles(config: ClusterConfig, node: ClusterConfig.Master) throws -> [RenderedFile] {
        try config.kubernetes.profile.profile.supportingFiles(config: config, node: node)
    }

    /// The directories the profile's pods need, with their modes (none for legacy).
    package static func directories(config: ClusterConfig, node: ClusterConfig.Master) -> [RenderedDirectory] {
        config.kubernetes.profile.profile.directories(config: config, node: node)
    }

    /// The unit followed by the manifests, in write order.
    package static func all(config: ClusterConfig, node: ClusterConfig.Master) throws -> [RenderedFile] {
        [try kubeletUnit(config: config, node: node)] + (try manifests(config: config, node: node))
    }

    /// A pod as YAML: Yams's encoder (indent 2, unlimited width, keys in model order) with every string a
    /// YAML 1.1 or 1.2 reader could take for another type single-quoted, so the kubelet reads back exactly
    /// what was rendered. Throws only if the model cannot be encoded (a bug in the model).
    package static func yaml(_ pod: StaticPod) throws -> String {
        try yaml(encoding: pod)
    }

    /// Any model (a pod, a KubeletConfiguration) as YAML, written and quoted as `yaml(_:)` writes pods.
    package static func yaml(encoding value: some Encodable) throws -> String {
        let encoder = YAMLEncoder()
        encoder.options.indent = 2
        encoder.options.width = -1
        encoder.options.sortKeys = false
        // The encoder quotes what Yams's own resolver would misread, not `y`, `n` or `0X1F`, which go-yaml
        // v2 reads as a boolean or a number. It returns only text, so the text is composed again, those
        // strings are restyled, and Yams writes the nodes with the same options.
        let text = try encoder.encode(value)
        guard let node = try Yams.compose(yaml: text) else { return text }
        return try Yams.serialize(node: quotingAmbiguousStrings(node), indent: 2, width: -1, sortKeys: false)
    }

    // Only strings: a plain scalar Yams resolves as `!!str` that another reader would not.
    private static func quotingAmbiguousStrings(_ node: Node) -> Node {
        switch node {
        case .scalar(var scalar):
            if scalar.style == .plain, node.tag == Tag(.str), AmbiguousPlainScalars.contains(scalar.string) {
                scalar.style = .singleQuoted
            }
            return .scalar(scalar)
        case .sequence(let sequence):
            return .sequence(.init(sequence.map(quotingAmbiguousStrings), sequence.tag, sequence.style))
        case .mapping(let mapping):
            let pairs = mapping.map { (quotingAmbiguousStrings($0.key), quotingAmbiguousStrings($0.value)) }
            return .mapping(.init(pairs, mapping.tag, mapping.style))
        }
    }
}
