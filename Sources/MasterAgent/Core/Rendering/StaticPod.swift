/// The subset of a v1 Pod that static-pod manifests use. Field order is the order the YAML
/// is written in; optional fields left nil are omitted.
struct StaticPod: Codable, Equatable, Sendable {
    var apiVersion = "v1"
    var kind = "Pod"
    var metadata: ObjectMeta
    var spec: PodSpec

    /// `metadata` of a static pod.
    struct ObjectMeta: Codable, Equatable, Sendable {
        var name: String
        var namespace: String
    }

    /// `spec` of a static pod.
    struct PodSpec: Codable, Equatable, Sendable {
        var hostNetwork: Bool?
        var containers: [Container]
        var volumes: [Volume]?
    }

    /// One container.
    struct Container: Codable, Equatable, Sendable {
        var name: String
        var image: String
        var command: [String]
        var ports: [ContainerPort]?
        var securityContext: SecurityContext?
        var livenessProbe: Probe?
        var volumeMounts: [VolumeMount]?
    }

    /// A container port exposed on the host.
    struct ContainerPort: Codable, Equatable, Sendable {
        var containerPort: Int
        var hostPort: Int?
        var name: String?
    }

    /// `securityContext` of a container.
    struct SecurityContext: Codable, Equatable, Sendable {
        var privileged: Bool?
    }

    /// An HTTP liveness probe.
    struct Probe: Codable, Equatable, Sendable {
        var httpGet: HTTPGetAction
        var initialDelaySeconds: Int?
        var timeoutSeconds: Int?
    }

    /// `httpGet` of a probe.
    struct HTTPGetAction: Codable, Equatable, Sendable {
        var host: String?
        var path: String
        var port: Int
    }

    /// A volume mounted into a container.
    struct VolumeMount: Codable, Equatable, Sendable {
        var mountPath: String
        var name: String
        var readOnly: Bool?
    }

    /// A hostPath volume.
    struct Volume: Codable, Equatable, Sendable {
        var hostPath: HostPathSource
        var name: String
    }

    /// `hostPath` of a volume.
    struct HostPathSource: Codable, Equatable, Sendable {
        var path: String
    }
}
