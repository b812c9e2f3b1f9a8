/// One cluster's configuration (`apiVersion: master-agent/v1alpha1`, `kind: ClusterConfig`),
/// the same file on every master. Built only by `ConfigLoader`, which validates every field.
struct ClusterConfig: Equatable, Sendable {
    static let apiVersion = "master-agent/v1alpha1"
    static let kind = "ClusterConfig"
    /// Where packages and operators put the file unless `--config` says otherwise.
    static let defaultPath = "/etc/master-agent/cluster.yaml"

    var kubernetes: Kubernetes
    var cluster: Cluster
    var loadBalancer: LoadBalancer
    var masters: [Master]
    var etcd: Etcd
    var apiServer: APIServer
    var pki: PKI
    var kubelet: Kubelet
    var election: Election

    /// The `kubernetes` section: which rendering profile and which image.
    struct Kubernetes: Equatable, Sendable {
        var profile: RenderProfileName
        var version: String
        var image: String
    }

    /// The `cluster` section: service network and cluster DNS.
    struct Cluster: Equatable, Sendable {
        var serviceCIDR: IPv4CIDR
        var dnsServiceIP: IPv4Address
        var domain: String
    }

    /// The `loadBalancer` section: the address clients use for the API.
    struct LoadBalancer: Equatable, Sendable {
        var dnsName: String
        var address: IPv4Address
    }

    /// One entry of `masters`.
    struct Master: Equatable, Sendable {
        var name: String
        var dnsName: String
        var address: IPv4Address
    }

    /// The `etcd` section: endpoints and the client TLS files the API server uses.
    struct Etcd: Equatable, Sendable {
        var endpoints: [String]
        var caFile: String
        var certFile: String
        var keyFile: String
    }

    /// The `apiServer` section: ports, admission plugins, and how the agent reaches the local server.
    struct APIServer: Equatable, Sendable {
        var bindAddress: IPv4Address
        var securePort: Int
        var localURL: String
        var admissionControl: [String]
        /// CA the API server checks client certificates against; the document uses etcd's CA.
        var clientCAFile: String
        var caFile: String?
        var certFile: String?
        var keyFile: String?
        var tokenFile: String?
        /// How long `bootstrap`'s wait-api step waits for the local API server to answer `ok`.
        var waitTimeout: ConfigDuration
    }

    /// The `pki` section: where the API server's TLS material lives and how it is made.
    struct PKI: Equatable, Sendable {
        var dir: String
        /// The API server key's algorithm; YAML spells it as `KeyType`'s raw value (rsa-2048, ...).
        var keyType: KeyType
        var validityDays: Int
        var expiryWarningDays: Int
        var caKey: String?
        var caCert: String?
        var extraSANs: [String]
    }

    /// The `kubelet` section: binary, static-pod directory, unit dependencies.
    struct Kubelet: Equatable, Sendable {
        var binary: String
        var manifestDir: String
        var housekeepingInterval: ConfigDuration
        var unitPath: String
        /// `Requires=` of the unit; the document's `networking.service` exists on Debian 12 only with ifupdown.
        var unitRequires: [String]
        var unitAfter: [String]
        var restartSec: Int
    }

    /// The `election` section: the lock the masters use to pick who creates kube-system.
    struct Election: Equatable, Sendable {
        var namespace: String
        var lockName: String
        var leaseDuration: ConfigDuration
        var renewInterval: ConfigDuration
    }

    /// The first service IP (`kubernetes.default`), derived from `cluster.serviceCIDR`.
    var kubernetesServiceIP: IPv4Address { cluster.serviceCIDR.firstHostAddress }

    /// The master entry called `name`, if any.
    func master(named name: String) -> Master? { masters.first { $0.name == name } }
}

/// The rendering profiles the agent knows.
enum RenderProfileName: String, CaseIterable, Equatable, Sendable {
    case legacyHyperkube = "legacy-hyperkube"
}
