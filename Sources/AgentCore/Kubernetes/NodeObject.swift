import FoundationEssentials

/// A v1 Node: its name, labels and the addresses the kubelet reports.
package struct NodeObject: Codable, Equatable, Sendable {
    /// One entry of `status.addresses`.
    package struct Address: Codable, Equatable, Sendable {
        /// `Hostname`, `InternalIP`, `ExternalIP`, `InternalDNS` or `ExternalDNS`.
        package var type: String
        package var address: String

        package init(type: String, address: String) {
            self.type = type
            self.address = address
        }
    }

    /// The `status` fields read here.
    package struct Status: Codable, Equatable, Sendable {
        package var addresses: [Address]?
    }

    package var apiVersion: String?
    package var kind: String?
    package var metadata: ObjectMeta
    package var status: Status?

    /// The label kubeadm puts on control-plane Nodes (the kubelet may not set it on itself).
    package static let controlPlaneLabel = "node-role.kubernetes.io/control-plane"

    /// `/api/v1/nodes/NAME`.
    package static func path(_ name: String) -> String { "/api/v1/nodes/\(name)" }

    /// A JSON merge patch that sets `labels` and leaves every other field alone.
    package static func labelPatch(_ labels: [String: String]) throws -> Data {
        struct Patch: Encodable {
            struct Metadata: Encodable { var labels: [String: String] }
            var metadata: Metadata
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(Patch(metadata: .init(labels: labels)))
    }

    /// The reported addresses as subjectAltNames: DNS for Hostname/InternalDNS/ExternalDNS, IP for the IP kinds;
    /// unknown kinds are left out.
    package var subjectAltNames: [SubjectAltName] {
        (status?.addresses ?? []).compactMap { entry in
            switch entry.type {
            case "Hostname", "InternalDNS", "ExternalDNS": return .dns(entry.address)
            case "InternalIP", "ExternalIP": return .ip(entry.address)
            default: return nil
            }
        }
    }
}
