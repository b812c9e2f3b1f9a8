/// Today's control plane (Kubernetes v1.33-v1.36, issue 12): the document's HA topology with the flags of the
/// reference run on v1.36.2 (`../shared/reference/modern-1.36`) in kubeadm's static-pod shape. kube-proxy
/// stays a static pod on the masters, as in the document. Unlike kubeadm, nothing depends on the machine
/// that renders: no volume per CA directory found on the host.
package struct ModernProfile: RenderProfile {
    /// kubeadm's priority for system-node-critical, written beside the class name as kubeadm does.
    package static let nodeCriticalPriority = 2_000_001_000
    /// kube-controller-manager's secure port, which serves its health endpoints.
    package static let controllerManagerPort = 10257
    /// kube-scheduler's secure port, which serves its health endpoints.
    package static let schedulerPort = 10259
    /// kube-proxy's health port (plain HTTP; /livez since v1.28).
    package static let proxyHealthPort = 10256

    package init() {}

    package func staticPods(config: ClusterConfig, node: ClusterConfig.Master) -> [StaticPod] {
        staticPods(config: config, node: node, certificateDigests: [:])
    }

    /// The pods with `CertificateRestartAnnotation` set on each whose certificates have a digest (hex, by tree
    /// entry name): what `certs renew` writes so the kubelet restarts exactly the pods whose certificates changed.
    package func staticPods(
        config: ClusterConfig, node: ClusterConfig.Master, certificateDigests: [String: String]
    ) -> [StaticPod] {
        [apiServer(config, node), controllerManager(config), proxy(config, node), scheduler(config)].map {
            CertificateRestartAnnotation.annotated($0, digests: certificateDigests)
        }
    }

    package func kubeletUnit(config: ClusterConfig, node: ClusterConfig.Master) -> SystemdUnit {
        ModernKubeletUnit.unit(config)
    }

    package func supportingFiles(config: ClusterConfig, node: ClusterConfig.Master) throws -> [RenderedFile] {
        let files = [
            (ModernLayout.auditPolicy, ModernConfigFiles.auditPolicy),
            (ModernLayout.authenticationConfig, ModernConfigFiles.authenticationConfig(config.kubernetes.version)),
            (ModernLayout.admissionConfig, ModernConfigFiles.admissionConfig),
            (ModernLayout.kubeletConfig, try ManifestRenderer.yaml(encoding: KubeletConfiguration(config))),
        ]
        return files.map { RenderedFile(path: $0.0, content: $0.1, mode: ManifestRenderer.fileMode, kind: .config) }
    }

    /// The audit log directory, 0700 (the API server creates audit.log in it, 0600).
    package func directories(config: ClusterConfig, node: ClusterConfig.Master) -> [RenderedDirectory] {
        [RenderedDirectory(path: ModernLayout.auditLogDir, mode: 0o700)]
    }

    /// Where the kubelet probes the API server: 127.0.0.1 when it listens on every interface, else the one
    /// address it is bound to (nothing answers on 127.0.0.1 then).
    package static func apiServerProbeHost(_ config: ClusterConfig) -> String {
        ModernCommands.boundAddress(config)?.description ?? "127.0.0.1"
    }

    // MARK: - The pods

    private func apiServer(_ config: ClusterConfig, _ node: ClusterConfig.Master) -> StaticPod {
        let host = Self.apiServerProbeHost(config)
        let port = StaticPod.PortReference.number(config.apiServer.securePort)
        var container = container("kube-apiserver", config, command: ModernCommands.apiServer(config, node: node))
        container.livenessProbe = .liveness(host: host, path: "/livez", port: port)
        container.readinessProbe = .readiness(host: host, path: "/readyz", port: port)
        container.startupProbe = .startup(host: host, path: "/livez", port: port)
        container.resources = .init(requests: .init(cpu: "250m"))
        var mounts = [HostMount.hostCACertificates, .pkiDirectory(config)]
        mounts += etcdDirectories(config).enumerated().map { index, directory in
            HostMount(name: "etcd-certs-\(index)", path: directory, type: "DirectoryOrCreate", readOnly: true)
        }
        // The configuration files must exist: `File`, so the kubelet never mounts an empty file it made itself.
        mounts += [
            HostMount(name: "audit-policy", path: ModernLayout.auditPolicy, type: "File", readOnly: true),
            HostMount(
                name: "authentication-config", path: ModernLayout.authenticationConfig, type: "File", readOnly: true),
            HostMount(name: "admission-config", path: ModernLayout.admissionConfig, type: "File", readOnly: true),
            HostMount(name: "encryption-config", path: ModernLayout.encryptionConfig, type: "File", readOnly: true),
            // Written by the API server; the agent creates it 0700 first.
            HostMount(name: "audit-log", path: ModernLayout.auditLogDir, type: "DirectoryOrCreate", readOnly: nil),
        ]
        return pod("kube-apiserver", tier: "control-plane", container, mounts: mounts)
    }

    private func controllerManager(_ config: ClusterConfig) -> StaticPod {
        var container = container(
            "kube-controller-manager", config, command: ModernCommands.controllerManager(config))
        container.ports = [.probePort(Self.controllerManagerPort)]
        container.livenessProbe = .liveness(host: "127.0.0.1", path: "/healthz", port: .name("probe-port"))
        container.startupProbe = .startup(host: "127.0.0.1", path: "/healthz", port: .name("probe-port"))
        container.resources = .init(requests: .init(cpu: "200m"))
        let mounts = [
            HostMount.hostCACertificates, .pkiDirectory(config), .kubeconfig("controller-manager.conf"),
        ]
        return pod("kube-controller-manager", tier: "control-plane", container, mounts: mounts)
    }

    private func scheduler(_ config: ClusterConfig) -> StaticPod {
        var container = container("kube-scheduler", config, command: ModernCommands.scheduler(config))
        container.ports = [.probePort(Self.schedulerPort)]
        // /readyz answers 500 for a few seconds after /livez is ok (caches syncing): readiness only, no restarts.
        container.livenessProbe = .liveness(host: "127.0.0.1", path: "/livez", port: .name("probe-port"))
        container.readinessProbe = .readiness(host: "127.0.0.1", path: "/readyz", port: .name("probe-port"))
        container.startupProbe = .startup(host: "127.0.0.1", path: "/livez", port: .name("probe-port"))
        container.resources = .init(requests: .init(cpu: "100m"))
        return pod("kube-scheduler", tier: "control-plane", container, mounts: [.kubeconfig("scheduler.conf")])
    }

    private func proxy(_ config: ClusterConfig, _ node: ClusterConfig.Master) -> StaticPod {
        var container = container("kube-proxy", config, command: ModernCommands.proxy(config, node: node))
        // It rewrites the host's iptables rules and loads kernel modules.
        container.securityContext = .init(privileged: true)
        // /livez, not /healthz: /healthz also fails while the node is being deleted, which is no reason to restart.
        var liveness = StaticPod.Probe.liveness(
            host: "127.0.0.1", path: "/livez", port: .number(Self.proxyHealthPort))
        liveness.httpGet.scheme = "HTTP"
        container.livenessProbe = liveness
        let mounts = [
            HostMount.kubeconfig("proxy.conf"),
            HostMount(name: "lib-modules", path: "/lib/modules", type: "Directory", readOnly: true),
            // Shared with every other iptables user on the host, so their writes never interleave.
            HostMount(name: "xtables-lock", path: "/run/xtables.lock", type: "FileOrCreate", readOnly: false),
        ]
        return pod("kube-proxy", tier: "node", container, mounts: mounts)
    }

    // MARK: - kubeadm's shape

    private func container(_ name: String, _ config: ClusterConfig, command: [String]) -> StaticPod.Container {
        let repository = config.kubernetes.imageRepository ?? "registry.k8s.io"
        return StaticPod.Container(
            name: name, image: "\(repository)/\(name):\(config.kubernetes.version)", imagePullPolicy: "IfNotPresent",
            command: StaticPod.literalCommand(command))
    }

    private func pod(_ name: String, tier: String, _ container: StaticPod.Container, mounts: [HostMount]) -> StaticPod {
        var container = container
        container.volumeMounts = mounts.map(\.volumeMount)
        return StaticPod(
            metadata: .init(name: name, namespace: "kube-system", labels: ["component": name, "tier": tier]),
            spec: .init(
                hostNetwork: true, priority: Self.nodeCriticalPriority, priorityClassName: "system-node-critical",
                securityContext: .init(seccompProfile: .init(type: "RuntimeDefault")), containers: [container],
                volumes: mounts.map(\.volume)))
    }

    /// The directories holding etcd's CA and client certificate that `pki.dir` does not already cover, each
    /// once (a directory inside another listed one is covered by it), in the order caFile, certFile, keyFile.
    package func etcdDirectories(_ config: ClusterConfig) -> [String] {
        var directories: [String] = []
        for file in [config.etcd.caFile, config.etcd.certFile, config.etcd.keyFile] {
            let directory = Self.parent(of: file)
            if Self.isWithin(directory, config.pki.dir) || directories.contains(where: { Self.isWithin(directory, $0) })
            {
                continue
            }
            directories.removeAll { Self.isWithin($0, directory) }
            directories.append(directory)
        }
        return directories
    }

    private static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    // True when `path` is `directory` or below it.
    private static func isWithin(_ path: String, _ directory: String) -> Bool {
        path == directory || directory == "/" || path.hasPrefix(directory.hasSuffix("/") ? directory : directory + "/")
    }
}

/// One hostPath volume and its mount at the same path, so the two lists cannot disagree.
private struct HostMount {
    let name: String
    let path: String
    let type: String
    let readOnly: Bool?

    static let hostCACertificates = HostMount(
        name: "ca-certs", path: "/etc/ssl/certs", type: "DirectoryOrCreate", readOnly: true)

    static func pkiDirectory(_ config: ClusterConfig) -> HostMount {
        HostMount(name: "k8s-certs", path: config.pki.dir, type: "DirectoryOrCreate", readOnly: true)
    }

    // `File`, not kubeadm's FileOrCreate: a pod whose kubeconfig is missing waits for the certs step instead of
    // starting on an empty file it would keep after the real one is renamed into place.
    static func kubeconfig(_ fileName: String) -> HostMount {
        HostMount(name: "kubeconfig", path: ModernLayout.kubeconfig(fileName), type: "File", readOnly: true)
    }

    var volumeMount: StaticPod.VolumeMount { .init(mountPath: path, name: name, readOnly: readOnly) }
    var volume: StaticPod.Volume { .init(hostPath: .init(path: path, type: type), name: name) }
}

extension StaticPod.Probe {
    // kubeadm's numbers: restart after 8 failed checks 10 s apart; allow 24 during start-up (4 minutes).
    fileprivate static func liveness(host: String, path: String, port: StaticPod.PortReference) -> Self {
        .init(
            httpGet: .https(host, path, port), initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 15,
            failureThreshold: 8)
    }

    fileprivate static func readiness(host: String, path: String, port: StaticPod.PortReference) -> Self {
        .init(
            httpGet: .https(host, path, port), initialDelaySeconds: nil, periodSeconds: 1, timeoutSeconds: 15,
            failureThreshold: 3)
    }

    fileprivate static func startup(host: String, path: String, port: StaticPod.PortReference) -> Self {
        .init(
            httpGet: .https(host, path, port), initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 15,
            failureThreshold: 24)
    }
}

extension StaticPod.HTTPGetAction {
    fileprivate static func https(_ host: String, _ path: String, _ port: StaticPod.PortReference) -> Self {
        .init(host: host, path: path, port: port, scheme: "HTTPS")
    }
}

extension StaticPod.ContainerPort {
    // kubeadm names the health port so the probes refer to it by name.
    fileprivate static func probePort(_ port: Int) -> Self {
        .init(containerPort: port, hostPort: nil, name: "probe-port", protocol: "TCP")
    }
}
