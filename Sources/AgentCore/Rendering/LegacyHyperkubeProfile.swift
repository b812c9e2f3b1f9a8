/// The reference document's control plane: one hyperkube image, the API server's insecure
/// local port for the other components, and the kubelet unit with `--api-servers`.
package struct LegacyHyperkubeProfile: RenderProfile {
    private static let kubernetesSSLVolume = "ssl-certs-kubernetes"
    private static let hostSSLVolume = "ssl-certs-host"
    private static let etcdSSLVolume = "ssl-certs-etcd"

    package func staticPods(config: ClusterConfig, node: ClusterConfig.Master) -> [StaticPod] {
        [apiServer(config), controllerManager(config), proxy(config), scheduler(config)]
    }

    package func kubeletUnit(config: ClusterConfig, node: ClusterConfig.Master) -> SystemdUnit {
        let arguments = [
            "--api-servers=\(config.apiServer.localURL)",
            "--register-schedulable=false",
            "--register-node=true",
            "--allow-privileged=true",
            "--config=\(config.kubelet.manifestDir)",
            "--cluster-dns=\(config.cluster.dnsServiceIP)",
            "--cluster-domain=\(config.cluster.domain)",
            "--housekeeping-interval=\(config.kubelet.housekeepingInterval)",
        ]
        var unit: [(key: String, value: String)] = [
            ("Description", "The primary agent to run pods"),
            ("Documentation", "http://kubernetes.io/docs/admin/kubelet/"),
        ]
        if !config.kubelet.unitRequires.isEmpty {
            unit.append(("Requires", config.kubelet.unitRequires.joined(separator: " ")))
        }
        if !config.kubelet.unitAfter.isEmpty { unit.append(("After", config.kubelet.unitAfter.joined(separator: " "))) }
        return SystemdUnit(sections: [
            .init(name: "Unit", entries: unit),
            .init(
                name: "Service",
                entries: [
                    ("ExecStart", SystemdUnit.execStart(config.kubelet.binary, arguments: arguments)),
                    ("Restart", "always"),
                    ("RestartSec", "\(config.kubelet.restartSec)"),
                ]),
            .init(name: "Install", entries: [("WantedBy", "multi-user.target")]),
        ])
    }

    /// The document writes nothing besides the manifests and the unit.
    package func supportingFiles(config: ClusterConfig, node: ClusterConfig.Master) -> [RenderedFile] { [] }

    /// The document's pods need no directory the agent makes.
    package func directories(config: ClusterConfig, node: ClusterConfig.Master) -> [RenderedDirectory] { [] }

    // The local (insecure) port the other components and the kubelet use, from apiServer.localURL.
    private func localPort(_ config: ClusterConfig) -> Int {
        URLPort.of(config.apiServer.localURL) ?? 8080
    }

    private func apiServer(_ config: ClusterConfig) -> StaticPod {
        let pki = config.pki.dir
        var command = [
            "/hyperkube", "apiserver",
            "--bind-address=\(config.apiServer.bindAddress)",
            "--etcd-servers=\(config.etcd.endpoints.joined(separator: ","))",
            "--etcd-cafile=\(config.etcd.caFile)",
            "--etcd-certfile=\(config.etcd.certFile)",
            "--etcd-keyfile=\(config.etcd.keyFile)",
            "--allow-privileged=true",
            "--service-cluster-ip-range=\(config.cluster.serviceCIDR)",
            "--secure-port=\(config.apiServer.securePort)",
            // The load balancer, not this master, is advertised: kube-proxy of v1.2 only used the
            // first API server, so iptables rules must point at the balancer (see the document).
            "--advertise-address=\(config.loadBalancer.address)",
        ]
        if !config.apiServer.admissionControl.isEmpty {
            command.append("--admission-control=\(config.apiServer.admissionControl.joined(separator: ","))")
        }
        command += [
            "--tls-cert-file=\(pki)/apiserver.crt",
            "--tls-private-key-file=\(pki)/apiserver.key",
            "--client-ca-file=\(config.apiServer.clientCAFile)",
            "--service-account-key-file=\(pki)/apiserver.key",
            "--apiserver-count=\(config.masters.count)",
        ]
        // v1.2 serves the insecure port on 8080 by default; only a different port needs the flag.
        if localPort(config) != 8080 { command.append("--insecure-port=\(localPort(config))") }
        var container = StaticPod.Container(name: "kube-apiserver", image: config.kubernetes.image, command: command)
        container.ports = [
            .init(containerPort: config.apiServer.securePort, hostPort: config.apiServer.securePort, name: "https"),
            .init(containerPort: localPort(config), hostPort: localPort(config), name: "local"),
        ]
        container.volumeMounts = controlPlaneMounts(config)
        return pod("kube-apiserver", container, volumes: controlPlaneVolumes(config))
    }

    private func controllerManager(_ config: ClusterConfig) -> StaticPod {
        var container = StaticPod.Container(
            name: "kube-controller-manager", image: config.kubernetes.image,
            command: [
                "/hyperkube", "controller-manager",
                "--master=\(config.apiServer.localURL)",
                "--leader-elect=true",
                // The same key as the API server's: tokens signed here must verify on every master.
                "--service-account-private-key-file=\(config.pki.dir)/apiserver.key",
                "--root-ca-file=\(config.apiServer.clientCAFile)",
            ])
        container.livenessProbe = healthProbe(port: 10252)
        container.volumeMounts = controlPlaneMounts(config)
        return pod("kube-controller-manager", container, volumes: controlPlaneVolumes(config))
    }

    private func proxy(_ config: ClusterConfig) -> StaticPod {
        var container = StaticPod.Container(
            name: "kube-proxy", image: config.kubernetes.image,
            command: [
                "/hyperkube", "proxy",
                "--master=\(config.apiServer.localURL)",
                "--proxy-mode=iptables",
            ])
        container.securityContext = .init(privileged: true)
        container.volumeMounts = [.init(mountPath: "/etc/ssl/certs", name: Self.hostSSLVolume, readOnly: true)]
        return pod(
            "kube-proxy", container,
            volumes: [.init(hostPath: .init(path: "/usr/share/ca-certificates"), name: Self.hostSSLVolume)])
    }

    private func scheduler(_ config: ClusterConfig) -> StaticPod {
        var container = StaticPod.Container(
            name: "kube-scheduler", image: config.kubernetes.image,
            command: [
                "/hyperkube", "scheduler",
                "--master=\(config.apiServer.localURL)",
                "--leader-elect=true",
            ])
        container.livenessProbe = healthProbe(port: 10251)
        return pod("kube-scheduler", container, volumes: nil)
    }

    private func pod(_ name: String, _ container: StaticPod.Container, volumes: [StaticPod.Volume]?) -> StaticPod {
        var container = container
        container.command = StaticPod.literalCommand(container.command)
        return StaticPod(
            metadata: .init(name: name, namespace: "kube-system"),
            spec: .init(hostNetwork: true, containers: [container], volumes: volumes))
    }

    private func healthProbe(port: Int) -> StaticPod.Probe {
        .init(
            httpGet: .init(host: "127.0.0.1", path: "/healthz", port: .number(port)), initialDelaySeconds: 15,
            timeoutSeconds: 1)
    }

    // The directory holding etcd's client files is mounted whole, as the document does with /etc/ssl/etcd.
    private func etcdDirectory(_ config: ClusterConfig) -> String {
        let path = config.etcd.caFile
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    private func controlPlaneMounts(_ config: ClusterConfig) -> [StaticPod.VolumeMount] {
        [
            .init(mountPath: config.pki.dir, name: Self.kubernetesSSLVolume, readOnly: true),
            .init(mountPath: "/etc/ssl/certs", name: Self.hostSSLVolume, readOnly: true),
            .init(mountPath: etcdDirectory(config), name: Self.etcdSSLVolume, readOnly: true),
        ]
    }

    private func controlPlaneVolumes(_ config: ClusterConfig) -> [StaticPod.Volume] {
        [
            .init(hostPath: .init(path: config.pki.dir), name: Self.kubernetesSSLVolume),
            .init(hostPath: .init(path: "/usr/share/ca-certificates"), name: Self.hostSSLVolume),
            .init(hostPath: .init(path: etcdDirectory(config)), name: Self.etcdSSLVolume),
        ]
    }
}
