/// The subset of a v1 Pod that static-pod manifests use. Field order is the order the YAML
/// is written in; optional fields left nil are omitted. The legacy profile leaves every field it did not
/// know about nil, so its manifests keep their bytes; the modern profile fills them in kubeadm's order.
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
        /// Sorted by key when encoded (a dictionary has no order of its own).
        package var labels: [String: String]? = nil
        /// Sorted by key when encoded; nil writes no `annotations` at all (every legacy manifest).
        package var annotations: [String: String]? = nil

        package init(
            name: String, namespace: String, labels: [String: String]? = nil, annotations: [String: String]? = nil
        ) {
            self.name = name
            self.namespace = namespace
            self.labels = labels
            self.annotations = annotations
        }

        private enum CodingKeys: String, CodingKey { case name, namespace, annotations, labels }

        package func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(namespace, forKey: .namespace)
            if let annotations {
                var nested = container.nestedContainer(keyedBy: LabelKey.self, forKey: .annotations)
                for key in annotations.keys.sorted() { try nested.encode(annotations[key], forKey: LabelKey(key)) }
            }
            if let labels {
                var nested = container.nestedContainer(keyedBy: LabelKey.self, forKey: .labels)
                for key in labels.keys.sorted() { try nested.encode(labels[key], forKey: LabelKey(key)) }
            }
        }

        // Label and annotation keys are data, not fixed names.
        private struct LabelKey: CodingKey {
            let stringValue: String
            var intValue: Int? { nil }
            init(_ value: String) { stringValue = value }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
    }

    /// `spec` of a static pod.
    package struct PodSpec: Codable, Equatable, Sendable {
        package var hostNetwork: Bool?
        /// kubeadm writes the numeric priority of `priorityClassName` too, so the pod is admitted with it
        /// before the PriorityClass can be read from the API.
        package var priority: Int? = nil
        package var priorityClassName: String? = nil
        package var securityContext: PodSecurityContext? = nil
        package var containers: [Container]
        package var volumes: [Volume]?

        package init(
            hostNetwork: Bool?, priority: Int? = nil, priorityClassName: String? = nil,
            securityContext: PodSecurityContext? = nil, containers: [Container], volumes: [Volume]?
        ) {
            self.hostNetwork = hostNetwork
            self.priority = priority
            self.priorityClassName = priorityClassName
            self.securityContext = securityContext
            self.containers = containers
            self.volumes = volumes
        }
    }

    /// `securityContext` of the pod.
    package struct PodSecurityContext: Codable, Equatable, Sendable {
        package var seccompProfile: SeccompProfile
    }

    /// A seccomp profile by type (`RuntimeDefault`).
    package struct SeccompProfile: Codable, Equatable, Sendable {
        package var type: String
    }

    /// One container.
    package struct Container: Codable, Equatable, Sendable {
        package var name: String
        package var image: String
        package var imagePullPolicy: String? = nil
        package var command: [String]
        package var ports: [ContainerPort]?
        package var securityContext: SecurityContext?
        package var livenessProbe: Probe?
        package var readinessProbe: Probe? = nil
        package var startupProbe: Probe? = nil
        package var resources: ResourceRequirements? = nil
        package var volumeMounts: [VolumeMount]?

        package init(
            name: String, image: String, imagePullPolicy: String? = nil, command: [String],
            ports: [ContainerPort]? = nil, securityContext: SecurityContext? = nil, livenessProbe: Probe? = nil,
            readinessProbe: Probe? = nil, startupProbe: Probe? = nil, resources: ResourceRequirements? = nil,
            volumeMounts: [VolumeMount]? = nil
        ) {
            self.name = name
            self.image = image
            self.imagePullPolicy = imagePullPolicy
            self.command = command
            self.ports = ports
            self.securityContext = securityContext
            self.livenessProbe = livenessProbe
            self.readinessProbe = readinessProbe
            self.startupProbe = startupProbe
            self.resources = resources
            self.volumeMounts = volumeMounts
        }
    }

    /// A container port exposed on the host.
    package struct ContainerPort: Codable, Equatable, Sendable {
        package var containerPort: Int
        package var hostPort: Int?
        package var name: String?
        package var `protocol`: String? = nil
    }

    /// `securityContext` of a container.
    package struct SecurityContext: Codable, Equatable, Sendable {
        package var privileged: Bool?
    }

    /// An HTTP probe.
    package struct Probe: Codable, Equatable, Sendable {
        package var httpGet: HTTPGetAction
        package var initialDelaySeconds: Int?
        package var periodSeconds: Int? = nil
        package var timeoutSeconds: Int?
        package var failureThreshold: Int? = nil
    }

    /// `httpGet` of a probe.
    package struct HTTPGetAction: Codable, Equatable, Sendable {
        package var host: String?
        package var path: String
        package var port: PortReference
        package var scheme: String? = nil
    }

    /// A probe's port: a number, or the name of one of the container's `ports` (kubeadm's `probe-port`).
    package enum PortReference: Codable, Equatable, Sendable, ExpressibleByIntegerLiteral {
        case number(Int)
        case name(String)

        package init(integerLiteral value: Int) { self = .number(value) }

        package init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int.self) {
                self = .number(number)
            } else {
                self = .name(try container.decode(String.self))
            }
        }

        package func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .number(let number): try container.encode(number)
            case .name(let name): try container.encode(name)
            }
        }
    }

    /// `resources` of a container: requests only, as kubeadm sets them.
    package struct ResourceRequirements: Codable, Equatable, Sendable {
        package var requests: ResourceList
    }

    /// Amounts by resource, in Kubernetes quantity syntax (`250m`).
    package struct ResourceList: Codable, Equatable, Sendable {
        package var cpu: String?
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

    /// `hostPath` of a volume; `type` makes the kubelet check (or create) what is there before it mounts.
    package struct HostPathSource: Codable, Equatable, Sendable {
        package var path: String
        package var type: String? = nil
    }
}
