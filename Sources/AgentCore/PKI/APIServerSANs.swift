/// The subjectAltNames the API server certificate must carry, derived from the config only
/// (the document typed them into openssl.cnf by hand and skipped DNS.5; this list is complete).
package enum APIServerSANs {
    /// Every required name: the in-cluster service names, the load balancer, every master, `pki.extraSANs`.
    package static func required(_ config: ClusterConfig) -> [SubjectAltName] {
        var names: Set<SubjectAltName> = [
            .dns("localhost"), .dns("kubernetes"), .dns("kubernetes.default"), .dns("kubernetes.default.svc"),
            .dns("kubernetes.default.svc.\(config.cluster.domain)"), .dns(config.loadBalancer.dnsName),
            .ip("127.0.0.1"), .ip(config.kubernetesServiceIP.description), .ip(config.loadBalancer.address.description),
        ]
        for master in config.masters {
            names.insert(.dns(master.dnsName))
            names.insert(.ip(master.address.description))
        }
        for extra in config.pki.extraSANs {
            names.insert(IPv4Address(extra) != nil ? .ip(extra) : .dns(extra))
        }
        return names.sorted()
    }
}
