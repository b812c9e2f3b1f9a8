/// The subjectAltNames the API server certificate must carry, derived from the config only
/// (the document typed them into openssl.cnf by hand and skipped DNS.5; this list is complete).
package enum APIServerSANs {
    /// Every required name: the in-cluster service names, the load balancer, every master, `pki.extraSANs`.
    package static func required(_ config: ClusterConfig) -> [SubjectAltName] {
        derived(
            domain: config.cluster.domain, serviceIP: config.kubernetesServiceIP,
            loadBalancer: (config.loadBalancer.dnsName, config.loadBalancer.address),
            masters: config.masters.map { ($0.dnsName, $0.address) }, extraSANs: config.pki.extraSANs)
    }

    /// The modern profile's names: the legacy derivation plus this master's node name and address (kubeadm adds the
    /// node name; the address is already there when the node is one of `masters`).
    package static func required(_ inputs: ModernPKIInputs) -> [SubjectAltName] {
        let legacy = derived(
            domain: inputs.clusterDomain, serviceIP: inputs.firstServiceIP,
            loadBalancer: (inputs.loadBalancer.dnsName, inputs.loadBalancer.address),
            masters: inputs.masters.map { ($0.dnsName, $0.address) }, extraSANs: inputs.extraSANs)
        return Set(legacy + [.dns(inputs.node.name), .dns(inputs.node.dnsName), .ip(inputs.node.address.description)])
            .sorted()
    }

    // One derivation for both profiles, sorted so the certificate (and a rerun's comparison) is deterministic.
    private static func derived(
        domain: String, serviceIP: IPv4Address, loadBalancer: (dnsName: String, address: IPv4Address),
        masters: [(dnsName: String, address: IPv4Address)], extraSANs: [String]
    ) -> [SubjectAltName] {
        var names: Set<SubjectAltName> = [
            .dns("localhost"), .dns("kubernetes"), .dns("kubernetes.default"), .dns("kubernetes.default.svc"),
            .dns("kubernetes.default.svc.\(domain)"), .dns(loadBalancer.dnsName),
            .ip("127.0.0.1"), .ip(serviceIP.description), .ip(loadBalancer.address.description),
        ]
        for master in masters {
            names.insert(.dns(master.dnsName))
            names.insert(.ip(master.address.description))
        }
        for extra in extraSANs {
            names.insert(IPv4Address(extra) != nil ? .ip(extra) : .dns(extra))
        }
        return names.sorted()
    }
}
