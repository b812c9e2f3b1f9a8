import Foundation

@testable import AgentCore

/// `ModernPKIInputs` for the masters of ../shared/examples/modern-cluster.yaml, typed here because the modern config
/// fields are loaded elsewhere; the values are the example's (and kubeadm-config.yaml's, which the reference ran).
enum ModernPKIExample {
    /// The three masters of the example, by node name.
    static let masters: [(name: String, dnsName: String, address: String)] = [
        ("master01", "master01.example.com", "192.168.1.1"),
        ("master02", "master02.example.com", "192.168.1.2"),
        ("master03", "master03.example.com", "192.168.1.3"),
    ]

    /// The inputs as master `name` of the example cluster sees them.
    static func inputs(for name: String = "master01", keyType: KeyType = .rsa2048) -> ModernPKIInputs {
        let node = masters.first { $0.name == name }!
        return ModernPKIInputs(
            clusterName: "kubernetes", clusterDomain: "cluster.local", firstServiceIP: IPv4Address("10.96.0.1")!,
            node: .init(name: node.name, dnsName: node.dnsName, address: IPv4Address(node.address)!),
            masters: masters.map { .init(dnsName: $0.dnsName, address: IPv4Address($0.address)!) },
            loadBalancer: .init(dnsName: "loadbalancer.example.com", address: IPv4Address("192.168.3.1")!),
            loadBalancerPort: 6443, securePort: 6443, extraSANs: [], keyType: keyType,
            leafValidityDays: 365, caValidityDays: 3650)
    }

    /// The modern tree of master `name`.
    static func tree(for name: String = "master01", keyType: KeyType = .rsa2048) -> PKITree {
        PKITree.modern(inputs(for: name, keyType: keyType))
    }
}
