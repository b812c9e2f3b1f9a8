import Yams

/// How renewed certificates reach the running control plane, kubeadm's way: a static pod's manifest gains an
/// annotation carrying the digests of the certificates its component reads; the kubelet sees a changed pod and
/// restarts exactly that one. Pods whose certificates did not change keep their manifest byte for byte.
package enum CertificateRestartAnnotation {
    /// The annotation's key on the pod.
    package static let key = "master-agent.io/certificates-sha256"

    /// The modern tree's entries each static pod of `ModernProfile` reads (the flags of `ModernCommands`); the etcd
    /// client certificate is the operator's and not renewed here.
    package static let entriesByPod: [String: [String]] = [
        "kube-apiserver": ["apiserver", "apiserver-kubelet-client", "front-proxy-client"],
        "kube-controller-manager": ["controller-manager.conf"],
        "kube-proxy": ["proxy.conf"],
        "kube-scheduler": ["scheduler.conf"],
    ]

    /// The pods to restart after renewing `entries` (tree entry names), in name order.
    package static func affectedPods(by entries: [String]) -> [String] {
        let renewed = Set(entries)
        return entriesByPod.filter { !renewed.isDisjoint(with: $0.value) }.map(\.key).sorted()
    }

    /// The annotation value for `pod` from the hex digests of its entries' certificates (by entry name), or nil
    /// when none of its entries has a digest: `apiserver=<hex>,front-proxy-client=<hex>`, entries in name order.
    package static func value(forPod pod: String, digests: [String: String]) -> String? {
        let parts = (entriesByPod[pod] ?? []).sorted().compactMap { entry in digests[entry].map { "\(entry)=\($0)" } }
        return parts.isEmpty ? nil : parts.joined(separator: ",")
    }

    /// `pod` with the annotation set from `digests` (unchanged when none of its entries has one).
    package static func annotated(_ pod: StaticPod, digests: [String: String]) -> StaticPod {
        guard let value = value(forPod: pod.metadata.name, digests: digests) else { return pod }
        var annotated = pod
        annotated.metadata.annotations = (pod.metadata.annotations ?? [:]).merging([key: value]) { $1 }
        return annotated
    }

    /// Whether a manifest's text is a pod that carries the annotation (a renewal restarted it once).
    package static func isPresent(inManifest text: String) -> Bool {
        guard let pod = try? YAMLDecoder().decode(StaticPod.self, from: text) else { return false }
        return pod.metadata.annotations?[key] != nil
    }
}
