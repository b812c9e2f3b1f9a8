/// What the modern PKI tree depends on, as plain values: the caller builds it from `ClusterConfig` and the
/// master this node is, so the tree itself reads no config and no host.
package struct ModernPKIInputs: Equatable, Sendable {
    /// A host the API server certificate names: a master or the load balancer.
    package struct Host: Equatable, Sendable {
        /// Its DNS name, e.g. `master02.example.com`.
        package var dnsName: String
        /// Its IPv4 address.
        package var address: IPv4Address

        package init(dnsName: String, address: IPv4Address) {
            self.dnsName = dnsName
            self.address = address
        }
    }

    /// The master this tree is made on.
    package struct Node: Equatable, Sendable {
        /// The node name (`masters[].name`), the kubelet's `system:node:<name>`.
        package var name: String
        /// Its DNS name.
        package var dnsName: String
        /// Its address: the API server's advertise address, which its own kubeconfigs point at.
        package var address: IPv4Address

        package init(name: String, dnsName: String, address: IPv4Address) {
            self.name = name
            self.dnsName = dnsName
            self.address = address
        }
    }

    /// `cluster.name`, the kubeconfigs' cluster (kubeadm's `clusterName`, default `kubernetes`).
    package var clusterName: String
    /// `cluster.domain`, e.g. `cluster.local`.
    package var clusterDomain: String
    /// The first address of `cluster.serviceCIDR`, the `kubernetes` Service.
    package var firstServiceIP: IPv4Address
    /// This master.
    package var node: Node
    /// Every master, this one included.
    package var masters: [Host]
    /// The control-plane endpoint.
    package var loadBalancer: Host
    /// `loadBalancer.port`.
    package var loadBalancerPort: Int
    /// `apiServer.securePort` of this master.
    package var securePort: Int
    /// `pki.extraSANs`: an IPv4 address becomes an IP entry, anything else a DNS entry.
    package var extraSANs: [String]
    /// `pki.keyType`, for every key of the tree.
    package var keyType: KeyType
    /// `pki.validityDays`, for every leaf.
    package var leafValidityDays: Int
    /// `pki.caValidityDays`, for the CAs.
    package var caValidityDays: Int

    package init(
        clusterName: String, clusterDomain: String, firstServiceIP: IPv4Address, node: Node, masters: [Host],
        loadBalancer: Host, loadBalancerPort: Int, securePort: Int, extraSANs: [String], keyType: KeyType,
        leafValidityDays: Int, caValidityDays: Int
    ) {
        self.clusterName = clusterName
        self.clusterDomain = clusterDomain
        self.firstServiceIP = firstServiceIP
        self.node = node
        self.masters = masters
        self.loadBalancer = loadBalancer
        self.loadBalancerPort = loadBalancerPort
        self.securePort = securePort
        self.extraSANs = extraSANs
        self.keyType = keyType
        self.leafValidityDays = leafValidityDays
        self.caValidityDays = caValidityDays
    }
}
