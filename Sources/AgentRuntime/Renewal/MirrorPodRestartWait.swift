import AgentCore
import FoundationEssentials

/// Before asking a restarted component for its health: wait until the kubelet runs the pod from the new manifest,
/// seen on its mirror pod (`<pod>-<node>` in the manifest's namespace), which carries the static pod's annotations,
/// as kubeadm waits for the static pod's hash. Without this the old pod, still running, would answer `ok`.
package struct MirrorPodRestartWait {
    let client: KubernetesAPIClient
    let clock: MonotonicClock
    let nodeName: String
    /// Between looks, in seconds.
    var pollInterval = 0.25

    package init(client: KubernetesAPIClient, clock: MonotonicClock, nodeName: String) {
        self.client = client
        self.clock = clock
        self.nodeName = nodeName
    }

    private struct MirrorPod: Decodable {
        let metadata: ObjectMeta
    }

    /// Waits until the mirror pod of every `(pod, namespace)` carries `expected[pod]` as the restart annotation (or
    /// none, for nil); returns the pods that did not within `timeout` seconds. A transport failure or an absent
    /// mirror pod counts as "not yet" (the API server itself may be restarting).
    package func wait(
        for pods: [(name: String, namespace: String)], expected: [String: String?], timeout: Double
    ) -> [String] {
        let deadline = clock.now() + timeout
        var pending = pods
        while true {
            pending = pending.filter { pod in
                let path = "/api/v1/namespaces/\(pod.namespace)/pods/\(pod.name)-\(nodeName)"
                guard let mirror = try? client.getIfPresent(MirrorPod.self, path) else { return true }
                return mirror.metadata.annotations?[CertificateRestartAnnotation.key] != (expected[pod.name] ?? nil)
            }
            if pending.isEmpty || clock.now() >= deadline { return pending.map(\.name) }
            clock.sleep(min(pollInterval, max(deadline - clock.now(), 0)))
        }
    }
}
