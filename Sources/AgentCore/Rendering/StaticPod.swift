/// The subset of a v1 Pod that static-pod manifests use. Field order is the order the YAML
/// is written in; optional fields left nil are omitted.
package struct StaticPod: Codable, Equatable, Sendable {
    package var apiVersion = "v1"
    package var kind = "Pod"
    package var metadata: ObjectMeta
    package var spec: PodSpec

    /// `words` written so that the container receives them unchanged: the kubelet expands `$(NAME)` in a
    /// container's command and reads `$$` as `$` (Container.command in the Pod API), so each `$` is doubled.
    /// Words without `$` are returned as they are.
    package static func literalCommand(_ words: [String]) -> [String] {
        words.map { $0.replacing("$", with: "$$") }
    }

    /// `metadata` of a static pod.
    package struct ObjectMeta: Codable, Equatable, Sendable {
        package var name: String
        package var namespace: String
    }

    /// `spec` of a static pod.
    package struct PodSpec: Codable, Equatable, Sendable {
        package var hostNetwork: Bool?
        package var containers: [Container]
        package var volumes: [Volume]?
    }

    /// One container.
    package struct Container: Codable, Equatable, Sendable {
        package var name: String
        package var image: String
        package var command: [String]
        package var ports: [ContainerPort]?
        package var securityContext: SecurityContext?
        package var livenessProbe: Probe?
        package var volumeMounts: [VolumeMount]?
    }

    /// A container port exposed on the host.
    package struct ContainerPort: Codable, Equatable, Sendable {
        package var containerPort: Int
        package var hostPort: Int?
        package var name: String?
    }

    /// `securityContext` of a container.
    package struct SecurityContext: Codable, Equatable, Sendable {
        package var privileged: Bool?
    }

    /// An HTTP liveness probe.
    package struct Probe: Codable, Equatable, Sendable {
        package var httpGet: HTTPGetAction
        package var initialDelaySeconds: Int?
        package var timeoutSeconds: Int?
    }

    /// `httpGet` of a probe.
    package struct HTTPGetAction: Codable, Equatable, Sendable {
        package var host: String?
        package var path: String
        package var port: Int
    }

    /// A volume mounted into a container.
    package struct VolumeMount: Codable, Equatable, Sendable {
        package var mountPath: String
        package var name: String
        package var readOnly: Bool?
    }

    /// A hostPath volume.
    package struct Volume: Codable, Equatable, Sendable {
        package var hostPath: HostPathSource
        package var name: String
    }

    /// `hostPath` of a volume.
    package struct HostPathSource: Codable, Equatable, Sendable {
        package var path: String
    }
}
