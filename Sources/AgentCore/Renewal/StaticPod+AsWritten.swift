import Yams

extension StaticPod {
    /// The pod in a manifest's text when the text is exactly what `ManifestRenderer.yaml` writes for it (so writing
    /// the pod back changes nothing but what the caller changed); nil for text that is not a pod, or holds fields,
    /// comments or formatting the agent does not write.
    package static func decodeAsWritten(_ text: String) -> StaticPod? {
        guard let pod = try? YAMLDecoder().decode(StaticPod.self, from: text),
            (try? ManifestRenderer.yaml(pod)) == text
        else { return nil }
        return pod
    }
}
