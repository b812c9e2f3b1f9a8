extension ModernPKIInputs {
    /// The inputs of master `node` from the cluster config. The modern-only fields fall back to what the loader
    /// defaults them to under modern (`loadBalancer.port` 6443 is `apiServer.securePort`'s default, `caValidityDays`
    /// 3650), so a config built in code without them still gives kubeadm's tree.
    package init(_ config: ClusterConfig, node: ClusterConfig.Master) {
        self.init(
            clusterName: config.cluster.name, clusterDomain: config.cluster.domain,
            firstServiceIP: config.kubernetesServiceIP,
            node: Node(name: node.name, dnsName: node.dnsName, address: node.address),
            masters: config.masters.map { Host(dnsName: $0.dnsName, address: $0.address) },
            loadBalancer: Host(dnsName: config.loadBalancer.dnsName, address: config.loadBalancer.address),
            loadBalancerPort: config.loadBalancer.port ?? config.apiServer.securePort,
            securePort: config.apiServer.securePort, extraSANs: config.pki.extraSANs, keyType: config.pki.keyType,
            leafValidityDays: config.pki.validityDays, caValidityDays: config.pki.caValidityDays ?? 3650)
    }
}
