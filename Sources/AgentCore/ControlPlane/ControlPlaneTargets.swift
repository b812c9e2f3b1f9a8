import Foundation
import Yams

/// Where each control-plane component answers its health checks, read from what the kubelet runs: the static
/// pods' probes (host, scheme, port by number or by name, path) and the kubelet configuration's healthz address.
package enum ControlPlaneTargets {
    /// The targets for `pods` (the manifests as written), the kubelet's healthz address and the local API URL.
    /// The API server is asked through `apiServerURL` (the config's apiServer.localURL, which its CA and
    /// credentials are for) on its liveness and readiness probe paths: clients need it ready, not only alive.
    /// Every other pod with an httpGet liveness probe is asked exactly where the kubelet probes it.
    /// Throws `HealthTargetProblem` for a probe whose named port the container does not declare.
    package static func targets(
        pods: [StaticPod], kubeletHealthz: (host: String, port: Int), kubeletProgram: String, apiServerURL: String
    ) throws -> [HealthTarget] {
        var targets = [
            HealthTarget(
                component: "kubelet", urls: ["http://\(urlHost(kubeletHealthz.host)):\(kubeletHealthz.port)/healthz"],
                host: kubeletHealthz.host, port: kubeletHealthz.port, access: .loopback,
                program: lastComponent(kubeletProgram))
        ]
        for pod in pods {
            guard let container = pod.spec.containers.first, let liveness = container.livenessProbe else { continue }
            let program = lastComponent(container.command.first ?? container.name)
            if pod.metadata.name == "kube-apiserver" {
                let base = apiServerURL.hasSuffix("/") ? String(apiServerURL.dropLast()) : apiServerURL
                let paths = [liveness.httpGet.path] + [container.readinessProbe?.httpGet.path].compactMap { $0 }
                let parts = URLComponents(string: base)
                targets.append(
                    HealthTarget(
                        component: pod.metadata.name, urls: paths.map { base + $0 },
                        host: parts?.host ?? "127.0.0.1", port: parts?.port ?? 443, access: .localAPI,
                        program: program))
                continue
            }
            let action = liveness.httpGet
            let port = try resolve(action.port, in: container, pod: pod.metadata.name)
            // The kubelet probes an empty host as the pod's IP, which for hostNetwork pods is the node's; the
            // control plane binds its health ports to loopback, so that is where the agent asks.
            let host = action.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
            let scheme = (action.scheme ?? "HTTP").lowercased()
            targets.append(
                HealthTarget(
                    component: pod.metadata.name, urls: ["\(scheme)://\(urlHost(host)):\(port)\(action.path)"],
                    host: host, port: port, access: .loopback, program: program))
        }
        return targets
    }

    /// Decodes one static-pod manifest as written by the manifests step; throws `HealthTargetProblem` naming `path`.
    package static func pod(fromManifest text: String, path: String) throws -> StaticPod {
        do {
            return try YAMLDecoder().decode(StaticPod.self, from: text)
        } catch {
            throw HealthTargetProblem(
                "could not read the static pod in \(path): \(error). Run master-agent bootstrap --steps manifests.")
        }
    }

    /// The kubelet's healthz address from its KubeletConfiguration text: `healthzBindAddress` and `healthzPort`,
    /// with the kubelet's own defaults (127.0.0.1, 10248) for absent fields; throws for a malformed file.
    package static func kubeletHealthz(fromConfig text: String, path: String) throws -> (host: String, port: Int) {
        guard let document = try? Yams.load(yaml: text) as? [String: Any] else {
            throw HealthTargetProblem(
                "could not read \(path): not a KubeletConfiguration mapping. Run master-agent bootstrap --steps manifests."
            )
        }
        let host = document["healthzBindAddress"] as? String ?? "127.0.0.1"
        let port = document["healthzPort"] as? Int ?? 10248
        guard (1...65535).contains(port) else {
            throw HealthTargetProblem("\(path): healthzPort (\(port)) is not a port the agent can ask")
        }
        // 0.0.0.0 means every interface, loopback included.
        return (host == "0.0.0.0" || host.isEmpty ? "127.0.0.1" : host, port)
    }

    private static func resolve(_ port: StaticPod.PortReference, in container: StaticPod.Container, pod: String) throws
        -> Int
    {
        switch port {
        case .number(let number): return number
        case .name(let name):
            guard let declared = container.ports?.first(where: { $0.name == name }) else {
                throw HealthTargetProblem(
                    "the liveness probe of \(pod) names port \"\(name)\", which its container does not declare")
            }
            return declared.hostPort ?? declared.containerPort
        }
    }

    private static func urlHost(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }

    private static func lastComponent(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
