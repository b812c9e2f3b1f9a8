/// The command lines of the modern profile's static pods: exactly the argument lists of the reference run on
/// v1.36.2 binaries (`../shared/reference/modern-1.36/*.args`, in their order), with the node-specific values
/// taken from the config. Every value comes from a validated config field or a fixed kubeadm path.
package enum ModernCommands {
    /// The Kubernetes TLS 1.2 suites the reference allows: exactly kube-bench cis-1.12's 1.2.29 list, all
    /// AEAD with forward secrecy (the TLS 1.3 names are accepted and ignored by Go).
    package static let tlsCipherSuites = [
        "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    ]

    /// kube-apiserver's command (41 arguments, one fewer when it listens on every interface).
    package static func apiServer(_ config: ClusterConfig, node: ClusterConfig.Master) -> [String] {
        let pki = config.pki.dir
        var command = ["kube-apiserver", "--advertise-address=\(node.address)"]
        // kubeadm passes no --bind-address, so the server listens on every interface; only a specific
        // address is written (then the probes and the local kubeconfigs must use it too).
        if let bind = boundAddress(config) { command.append("--bind-address=\(bind)") }
        command += [
            "--allow-privileged=true",
            "--authorization-mode=Node,RBAC",
            "--client-ca-file=\(pki)/ca.crt",
            // EventRateLimit refuses to start without --admission-control-config-file.
            "--enable-admission-plugins=NodeRestriction,EventRateLimit,DenyServiceExternalIPs",
            "--admission-control-config-file=\(ModernLayout.admissionConfig)",
            "--enable-bootstrap-token-auth=true",
            "--etcd-servers=\(config.etcd.endpoints.joined(separator: ","))",
            "--etcd-cafile=\(config.etcd.caFile)",
            "--etcd-certfile=\(config.etcd.certFile)",
            "--etcd-keyfile=\(config.etcd.keyFile)",
            "--kubelet-client-certificate=\(pki)/apiserver-kubelet-client.crt",
            "--kubelet-client-key=\(pki)/apiserver-kubelet-client.key",
            // Needs kubelets with CA-signed serving certificates: serverTLSBootstrap in the kubelet config.
            "--kubelet-certificate-authority=\(pki)/ca.crt",
            "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
            "--proxy-client-cert-file=\(pki)/front-proxy-client.crt",
            "--proxy-client-key-file=\(pki)/front-proxy-client.key",
            "--requestheader-allowed-names=front-proxy-client",
            "--requestheader-client-ca-file=\(pki)/front-proxy-ca.crt",
            "--requestheader-extra-headers-prefix=X-Remote-Extra-",
            "--requestheader-group-headers=X-Remote-Group",
            "--requestheader-username-headers=X-Remote-User",
            "--secure-port=\(config.apiServer.securePort)",
            "--service-account-issuer=https://kubernetes.default.svc.\(config.cluster.domain)",
            "--service-account-key-file=\(pki)/sa.pub",
            "--service-account-signing-key-file=\(pki)/sa.key",
            "--service-account-lookup=true",
            "--service-account-extend-token-expiration=false",
            "--service-cluster-ip-range=\(config.cluster.serviceCIDR)",
            "--tls-cert-file=\(pki)/apiserver.crt",
            "--tls-private-key-file=\(pki)/apiserver.key",
            "--tls-cipher-suites=\(tlsCipherSuites.joined(separator: ","))",
            // Anonymous only on /livez, /readyz, /healthz; replaces --anonymous-auth (the two exclude each other).
            "--authentication-config=\(ModernLayout.authenticationConfig)",
            "--profiling=false",
            "--audit-policy-file=\(ModernLayout.auditPolicy)",
            "--audit-log-path=\(ModernLayout.auditLogPath)",
            "--audit-log-maxage=30",
            "--audit-log-maxbackup=10",
            "--audit-log-maxsize=100",
            "--encryption-provider-config=\(ModernLayout.encryptionConfig)",
        ]
        return command
    }

    /// kube-controller-manager's command: the reference's 16 arguments, plus kubeadm's three node-CIDR flags
    /// (in its sorted order) when `cluster.podCIDR` is given.
    package static func controllerManager(_ config: ClusterConfig) -> [String] {
        let pki = config.pki.dir
        let kubeconfig = ModernLayout.kubeconfig("controller-manager.conf")
        let podCIDR = config.cluster.podCIDR
        // A CA kept offline (pki.caCert without pki.caKey) leaves no ca.key on the masters: empty signing files, as
        // kubeadm renders them in its external-CA mode, so the CSR signer stays off instead of failing on a missing key.
        let offlineCA = config.pki.caCert != nil && config.pki.caKey == nil
        var command = ["kube-controller-manager"]
        if podCIDR != nil { command.append("--allocate-node-cidrs=true") }
        command += [
            "--authentication-kubeconfig=\(kubeconfig)",
            "--authorization-kubeconfig=\(kubeconfig)",
            // It listens on 0.0.0.0 unless told otherwise (CIS 1.3.7).
            "--bind-address=127.0.0.1",
            "--client-ca-file=\(pki)/ca.crt",
        ]
        if let podCIDR { command.append("--cluster-cidr=\(podCIDR)") }
        command += [
            "--cluster-name=\(config.cluster.name)",
            "--cluster-signing-cert-file=\(offlineCA ? "" : "\(pki)/ca.crt")",
            "--cluster-signing-key-file=\(offlineCA ? "" : "\(pki)/ca.key")",
            "--controllers=*,bootstrapsigner,tokencleaner",
            "--kubeconfig=\(kubeconfig)",
            "--leader-elect=true",
            "--profiling=false",
            "--requestheader-client-ca-file=\(pki)/front-proxy-ca.crt",
            "--root-ca-file=\(pki)/ca.crt",
            "--service-account-private-key-file=\(pki)/sa.key",
        ]
        if podCIDR != nil { command.append("--service-cluster-ip-range=\(config.cluster.serviceCIDR)") }
        command += [
            "--terminated-pod-gc-threshold=12500",
            "--use-service-account-credentials=true",
        ]
        return command
    }

    /// kube-scheduler's command (the reference's 6 arguments).
    package static func scheduler(_ config: ClusterConfig) -> [String] {
        let kubeconfig = ModernLayout.kubeconfig("scheduler.conf")
        return [
            "kube-scheduler",
            "--authentication-kubeconfig=\(kubeconfig)",
            "--authorization-kubeconfig=\(kubeconfig)",
            "--bind-address=127.0.0.1",
            "--kubeconfig=\(kubeconfig)",
            "--leader-elect=true",
            // Deprecated in 1.36 but honoured while no --config is given; kube-bench 1.4.1 reads only the flag.
            "--profiling=false",
        ]
    }

    /// kube-proxy's command. The reference has no list for it; these flags exist unchanged in v1.33-v1.36 (each
    /// is ignored only when a --config file is given, and kube-proxy no longer calls them deprecated).
    /// `--hostname-override` makes it find its Node under the master's name, the name in kubelet.conf;
    /// `--proxy-mode=iptables` is the Linux default written out, since the pod mounts /run/xtables.lock for
    /// it; health (/livez, /healthz) stays on its default 0.0.0.0:10256 so load balancers can check the node,
    /// metrics on their default 127.0.0.1:10249.
    package static func proxy(_ config: ClusterConfig, node: ClusterConfig.Master) -> [String] {
        var command = [
            "kube-proxy",
            "--kubeconfig=\(ModernLayout.kubeconfig("proxy.conf"))",
            "--hostname-override=\(node.name)",
            "--proxy-mode=iptables",
        ]
        // Which sources are local pods (detect-local-mode ClusterCIDR); without a pod network none is known.
        if let podCIDR = config.cluster.podCIDR { command.append("--cluster-cidr=\(podCIDR)") }
        return command
    }

    /// The address kube-apiserver is bound to, nil when it listens on every interface (0.0.0.0).
    package static func boundAddress(_ config: ClusterConfig) -> IPv4Address? {
        config.apiServer.bindAddress.value == 0 ? nil : config.apiServer.bindAddress
    }
}
