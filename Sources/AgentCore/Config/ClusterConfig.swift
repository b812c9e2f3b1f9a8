/// One cluster's configuration (`apiVersion: master-agent/v1alpha1`, `kind: ClusterConfig`),
/// the same file on every master. Built only by `ConfigLoader`, which validates every field.
package struct ClusterConfig: Equatable, Sendable {
    package static let apiVersion = "master-agent/v1alpha1"
    package static let kind = "ClusterConfig"
    /// Where packages and operators put the file unless `--config` says otherwise.
    package static let defaultPath = "/etc/master-agent/cluster.yaml"

    package var kubernetes: Kubernetes
    package var cluster: Cluster
    package var loadBalancer: LoadBalancer
    package var masters: [Master]
    package var etcd: Etcd
    package var apiServer: APIServer
    package var pki: PKI
    package var kubelet: Kubelet
    package var election: Election
    /// How the masters share the cluster's secrets (issue 13); `store: none` unless the file says otherwise.
    package var secrets: Secrets = Secrets()
    /// Where the agent leaves metrics for node_exporter's textfile collector; off unless the file says where.
    package var metrics: Metrics = Metrics()

    /// The `metrics` section.
    package struct Metrics: Equatable, Sendable {
        /// An absolute directory node_exporter's `--collector.textfile.directory` reads; nil: no metrics written.
        package var textfileDir: String? = nil

        package init(textfileDir: String? = nil) { self.textfileDir = textfileDir }
    }

    /// The `kubernetes` section: which rendering profile and which image.
    package struct Kubernetes: Equatable, Sendable {
        package var profile: RenderProfileName
        package var version: String
        /// The hyperkube image (legacy only; empty under modern, where the loader rejects it).
        package var image: String
        /// Registry of the component images `<imageRepository>/<component>:<version>` (modern only).
        package var imageRepository: String? = nil
    }

    /// The `cluster` section: service network and cluster DNS.
    package struct Cluster: Equatable, Sendable {
        package var serviceCIDR: IPv4CIDR
        package var dnsServiceIP: IPv4Address
        package var domain: String
        /// The cluster's name in kubeconfigs (default `kubernetes`).
        package var name: String = "kubernetes"
        /// Pod network; when given (modern only), kube-controller-manager allocates node CIDRs from it.
        package var podCIDR: IPv4CIDR? = nil
    }

    /// The `loadBalancer` section: the address clients use for the API.
    package struct LoadBalancer: Equatable, Sendable {
        package var dnsName: String
        package var address: IPv4Address
        /// The port clients use on the load balancer (modern only; nil under legacy, which uses `apiServer.securePort`).
        package var port: Int? = nil
    }

    /// One entry of `masters`.
    package struct Master: Equatable, Sendable {
        package var name: String
        package var dnsName: String
        package var address: IPv4Address
    }

    /// The `etcd` section: endpoints and the client TLS files the API server uses.
    package struct Etcd: Equatable, Sendable {
        package var endpoints: [String]
        package var caFile: String
        package var certFile: String
        package var keyFile: String
    }

    /// The `apiServer` section: ports, admission plugins, and how the agent reaches the local server.
    package struct APIServer: Equatable, Sendable {
        package var bindAddress: IPv4Address
        package var securePort: Int
        package var localURL: String
        package var admissionControl: [String]
        /// CA the API server checks client certificates against; the document uses etcd's CA.
        package var clientCAFile: String
        package var caFile: String?
        package var certFile: String?
        package var keyFile: String?
        package var tokenFile: String?
        /// How long `bootstrap`'s wait-api step waits for the local API server to answer `ok`.
        package var waitTimeout: ConfigDuration
    }

    /// The `pki` section: where the API server's TLS material lives and how it is made.
    package struct PKI: Equatable, Sendable {
        package var dir: String
        /// The API server key's algorithm; YAML spells it as `KeyType`'s raw value (rsa-2048, ...).
        package var keyType: KeyType
        package var validityDays: Int
        package var expiryWarningDays: Int
        package var caKey: String?
        package var caCert: String?
        package var extraSANs: [String]
        /// Lifetime of a CA the agent generates (modern only; nil under legacy).
        package var caValidityDays: Int? = nil
        /// `certs renew --due` reissues a leaf whose remaining lifetime is below this (default 30 days).
        package var renewBefore = ConfigDuration.days(30)
    }

    /// The `kubelet` section: binary, static-pod directory, unit dependencies.
    package struct Kubelet: Equatable, Sendable {
        package var binary: String
        package var manifestDir: String
        package var housekeepingInterval: ConfigDuration
        package var unitPath: String
        /// `Requires=` of the unit; the document's `networking.service` exists on Debian 12 only with ifupdown.
        package var unitRequires: [String]
        package var unitAfter: [String]
        package var restartSec: Int
        /// CRI socket the kubelet talks to, `unix:///path` or `tcp://host:port` (modern only; nil under legacy).
        package var containerRuntimeEndpoint: String? = nil
    }

    /// The `election` section: the lock the masters use to pick who creates kube-system.
    package struct Election: Equatable, Sendable {
        package var namespace: String
        package var lockName: String
        package var leaseDuration: ConfigDuration
        package var renewInterval: ConfigDuration
    }

    /// The `secrets` section: where the cluster's shared secrets live and the token that encrypts them.
    package struct Secrets: Equatable, Sendable {
        /// The join token's file on every master (0600, owned by root).
        package static let defaultTokenFile = "/etc/master-agent/join-token"
        /// The etcd key prefix; the record is `<keyPrefix>/<cluster.name>/secrets`.
        package static let defaultKeyPrefix = "/master-agent"

        package var store: SecretsStoreKind = .none
        package var tokenFile: String = Secrets.defaultTokenFile
        package var keyPrefix: String = Secrets.defaultKeyPrefix
        /// How long the cluster-secrets step waits for etcd, or for another master's record.
        package var waitTimeout: ConfigDuration = ConfigDuration("2m")!

        package init(
            store: SecretsStoreKind = .none, tokenFile: String = Secrets.defaultTokenFile,
            keyPrefix: String = Secrets.defaultKeyPrefix, waitTimeout: ConfigDuration = ConfigDuration("2m")!
        ) {
            self.store = store
            self.tokenFile = tokenFile
            self.keyPrefix = keyPrefix
            self.waitTimeout = waitTimeout
        }
    }

    /// The etcd key of this cluster's secrets record: `<secrets.keyPrefix>/<cluster.name>/secrets`.
    package var secretsRecordKey: String { "\(secrets.keyPrefix)/\(cluster.name)/secrets" }

    /// The first service IP (`kubernetes.default`), derived from `cluster.serviceCIDR`.
    package var kubernetesServiceIP: IPv4Address { cluster.serviceCIDR.firstHostAddress }

    /// The master entry called `name`, if any.
    package func master(named name: String) -> Master? { masters.first { $0.name == name } }
}

/// Where the cluster's shared secrets are kept.
package enum SecretsStoreKind: String, CaseIterable, Equatable, Sendable {
    /// In etcd, encrypted with the join token: every master gets them from there.
    case etcd
    /// Nowhere: the operator copies the shared files from master to master (the reference document's way).
    case none
}

/// The rendering profiles the agent knows.
package enum RenderProfileName: String, CaseIterable, Equatable, Sendable {
    case legacyHyperkube = "legacy-hyperkube"
    /// Kubernetes v1.33-v1.36, kubeadm's shape (issue 12); validated, not rendered yet.
    case modern
}
