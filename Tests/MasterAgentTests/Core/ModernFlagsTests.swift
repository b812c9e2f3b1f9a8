import Foundation
import XCTest
import Yams

@testable import AgentCore

/// The modern profile's commands against the argument lists that ran on real v1.36.2 binaries
/// (Fixtures/modern-1.36, copies of the reference), and the node-specific values templated into them.
final class ModernFlagsTests: XCTestCase {
    private func modern() throws -> ClusterConfig { try ModernRenderingGoldenTests.modernConfig() }

    /// The reference run's cluster: one master on loopback, local etcd, PKI in /etc/kubernetes/ssl.
    private func loopbackReferenceCluster() throws -> ClusterConfig {
        var config = try modern()
        config.masters = [.init(name: "master-0", dnsName: "master-0", address: IPv4Address("127.0.0.1")!)]
        config.apiServer.bindAddress = IPv4Address("127.0.0.1")!
        config.cluster.serviceCIDR = try IPv4CIDR(parsing: "10.3.0.0/24")
        config.cluster.dnsServiceIP = IPv4Address("10.3.0.10")!
        config.cluster.podCIDR = nil
        config.pki.dir = "/etc/kubernetes/ssl"
        config.etcd = .init(
            endpoints: ["https://127.0.0.1:2379"], caFile: "/etc/kubernetes/ssl/etcd/ca.crt",
            certFile: "/etc/kubernetes/ssl/apiserver-etcd-client.crt",
            keyFile: "/etc/kubernetes/ssl/apiserver-etcd-client.key")
        return config
    }

    private func reference(_ component: String) throws -> [String] {
        try TestSupport.fixtureText("modern-1.36/\(component).args").split(separator: "\n").map(String.init)
    }

    private func pod(_ name: String, _ config: ClusterConfig, node: Int = 0) throws -> StaticPod {
        let pods = ModernProfile().staticPods(config: config, node: config.masters[node])
        return try XCTUnwrap(pods.first { $0.metadata.name == name }, name)
    }

    private func command(_ name: String, _ config: ClusterConfig) throws -> [String] {
        try XCTUnwrap(try pod(name, config).spec.containers.first).command
    }

    private static func flagNames(_ command: [String]) -> Set<String> {
        Set(command.dropFirst().map { String($0.split(separator: "=", maxSplits: 1)[0]) })
    }

    func testTheReferenceClusterGetsExactlyTheReferenceArgumentLists() throws {
        let config = try loopbackReferenceCluster()
        for component in ["kube-apiserver", "kube-controller-manager", "kube-scheduler"] {
            XCTAssertEqual(try command(component, config), try reference(component), component)
        }
    }

    func testTheReferenceClustersAPIServerPodIsTheReferenceManifest() throws {
        let rendered = try ManifestRenderer.yaml(try pod("kube-apiserver", try loopbackReferenceCluster()))
        XCTAssertEqual(
            try RenderingGoldenTests.canonical(rendered),
            try RenderingGoldenTests.canonical(try TestSupport.fixtureText("modern-1.36/kube-apiserver.yaml")))
    }

    func testEveryFlagOfTheExampleClusterIsAReferenceFlag() throws {
        let config = try modern()
        // Listening on every interface (bindAddress 0.0.0.0) drops --bind-address, as kubeadm does.
        XCTAssertEqual(
            Self.flagNames(try command("kube-apiserver", config)),
            Self.flagNames(try reference("kube-apiserver")).subtracting(["--bind-address"]))
        XCTAssertEqual(
            Self.flagNames(try command("kube-scheduler", config)), Self.flagNames(try reference("kube-scheduler")))
        // With cluster.podCIDR, the three flags kubeadm v1.36 adds for a pod subnet, and no others.
        let kubeadm = try Yams.load(yaml: try TestSupport.fixtureText("kubeadm-1.36/kube-controller-manager.yaml"))
        let kubeadmCommand = try XCTUnwrap(
            ((kubeadm as? [String: Any])?["spec"] as? [String: Any]).flatMap {
                (($0["containers"] as? [[String: Any]])?.first?["command"] as? [String])
            })
        let nodeCIDRFlags: Set = ["--allocate-node-cidrs", "--cluster-cidr", "--service-cluster-ip-range"]
        XCTAssertTrue(nodeCIDRFlags.isSubset(of: Self.flagNames(kubeadmCommand)))
        let controllerManager = try command("kube-controller-manager", config)
        XCTAssertEqual(
            Self.flagNames(controllerManager),
            Self.flagNames(try reference("kube-controller-manager")).union(nodeCIDRFlags))
        for flag in [
            "--allocate-node-cidrs=true", "--cluster-cidr=10.244.0.0/16", "--service-cluster-ip-range=10.96.0.0/12",
        ] {
            XCTAssertTrue(controllerManager.contains(flag), flag)
            XCTAssertTrue(kubeadmCommand.contains(flag), "kubeadm writes \(flag) for the same cluster")
        }
        // The flags stay in kubeadm's sorted order.
        XCTAssertEqual(Array(controllerManager.dropFirst()), controllerManager.dropFirst().sorted())
    }

    func testNodeSpecificValuesComeFromTheConfig() throws {
        var config = try modern()
        config.apiServer.securePort = 8443
        config.cluster.domain = "k8s.example"
        config.cluster.name = "prod"
        config.etcd.endpoints = ["https://10.0.0.9:2379"]
        let apiServer = try command("kube-apiserver", config)
        for flag in [
            "--advertise-address=192.168.1.1", "--secure-port=8443", "--etcd-servers=https://10.0.0.9:2379",
            "--service-account-issuer=https://kubernetes.default.svc.k8s.example",
            "--service-cluster-ip-range=10.96.0.0/12", "--client-ca-file=/etc/kubernetes/pki/ca.crt",
        ] {
            XCTAssertTrue(apiServer.contains(flag), flag)
        }
        let probe = try XCTUnwrap(try pod("kube-apiserver", config).spec.containers[0].livenessProbe)
        XCTAssertEqual(probe.httpGet.port, .number(8443))
        XCTAssertTrue(try command("kube-controller-manager", config).contains("--cluster-name=prod"))
        config.cluster.podCIDR = nil
        let withoutPods = try command("kube-controller-manager", config)
        XCTAssertFalse(withoutPods.contains { $0.hasPrefix("--allocate-node-cidrs") || $0.hasPrefix("--cluster-cidr") })
        XCTAssertFalse(try command("kube-proxy", config).contains { $0.hasPrefix("--cluster-cidr") })
    }

    // kubeadm's external-CA mode: with the CA key kept off the masters, the signer gets empty files and stays off.
    func testAnOfflineCALeavesTheControllerManagersSignerOff() throws {
        var config = try modern()
        XCTAssertTrue(
            try command("kube-controller-manager", config).contains(
                "--cluster-signing-key-file=/etc/kubernetes/pki/ca.key"))
        config.pki.caCert = "/etc/kubernetes/pki/ca.crt"
        config.pki.caKey = "/root/ca.key"
        XCTAssertTrue(
            try command("kube-controller-manager", config).contains(
                "--cluster-signing-key-file=/etc/kubernetes/pki/ca.key"))
        config.pki.caKey = nil
        let offline = try command("kube-controller-manager", config)
        XCTAssertTrue(offline.contains("--cluster-signing-cert-file="), "\(offline)")
        XCTAssertTrue(offline.contains("--cluster-signing-key-file="), "\(offline)")
    }

    func testBindAddressDecidesTheFlagAndTheProbeHost() throws {
        var config = try modern()
        for (bind, flag, host) in [
            ("0.0.0.0", nil, "127.0.0.1"), ("127.0.0.1", "--bind-address=127.0.0.1", "127.0.0.1"),
            ("192.168.1.1", "--bind-address=192.168.1.1", "192.168.1.1"),
        ] {
            config.apiServer.bindAddress = IPv4Address(bind)!
            let container = try pod("kube-apiserver", config).spec.containers[0]
            XCTAssertEqual(container.command.first { $0.hasPrefix("--bind-address") }, flag, bind)
            for probe in [container.livenessProbe, container.readinessProbe, container.startupProbe] {
                XCTAssertEqual(probe?.httpGet.host, host, bind)
            }
        }
        // kube-controller-manager and kube-scheduler listen on loopback only, whatever the API server does.
        for name in ["kube-controller-manager", "kube-scheduler"] {
            XCTAssertTrue(try command(name, config).contains("--bind-address=127.0.0.1"), name)
        }
    }

    func testEtcdFilesOutsideThePKIDirectoryGetOneVolumePerDirectory() throws {
        var config = try modern()
        XCTAssertEqual(ModernProfile().etcdDirectories(config), [], "the example keeps them in pki.dir")
        config.etcd.caFile = "/etc/etcd/ca.crt"
        config.etcd.certFile = "/etc/etcd/pki/client.crt"
        config.etcd.keyFile = "/srv/keys/client.key"
        XCTAssertEqual(ModernProfile().etcdDirectories(config), ["/etc/etcd", "/srv/keys"])
        let volumes = try XCTUnwrap(try pod("kube-apiserver", config).spec.volumes)
        let etcd = volumes.filter { $0.name.hasPrefix("etcd-certs") }
        XCTAssertEqual(etcd.map(\.name), ["etcd-certs-0", "etcd-certs-1"])
        XCTAssertEqual(etcd.map(\.hostPath.path), ["/etc/etcd", "/srv/keys"])
        let mounts = try XCTUnwrap(try pod("kube-apiserver", config).spec.containers[0].volumeMounts)
        XCTAssertEqual(Set(mounts.map(\.name)), Set(volumes.map(\.name)), "every volume is mounted")
        // A directory inside a listed one is covered by it, whatever the order.
        config.etcd.caFile = "/etc/etcd/pki/ca.crt"
        config.etcd.certFile = "/etc/etcd/client.crt"
        config.etcd.keyFile = "/etc/etcd/client.key"
        XCTAssertEqual(ModernProfile().etcdDirectories(config), ["/etc/etcd"])
    }

    func testEachPodMountsExactlyWhatItReads() throws {
        let config = try modern()
        func volumes(_ name: String) throws -> [String: String] {
            let pod = try pod(name, config)
            let list = try XCTUnwrap(pod.spec.volumes)
            XCTAssertEqual(pod.spec.containers[0].volumeMounts?.map(\.name), list.map(\.name), name)
            XCTAssertEqual(pod.spec.containers[0].volumeMounts?.map(\.mountPath), list.map(\.hostPath.path), name)
            return Dictionary(uniqueKeysWithValues: list.map { ($0.hostPath.path, $0.hostPath.type ?? "") })
        }
        XCTAssertEqual(
            try volumes("kube-apiserver"),
            [
                "/etc/ssl/certs": "DirectoryOrCreate", "/etc/kubernetes/pki": "DirectoryOrCreate",
                "/etc/kubernetes/audit-policy.yaml": "File", "/etc/kubernetes/authentication-config.yaml": "File",
                "/etc/kubernetes/admission-config.yaml": "File", "/etc/kubernetes/encryption-config.yaml": "File",
                "/var/log/kubernetes/audit": "DirectoryOrCreate",
            ])
        XCTAssertEqual(
            try volumes("kube-controller-manager"),
            [
                "/etc/ssl/certs": "DirectoryOrCreate", "/etc/kubernetes/pki": "DirectoryOrCreate",
                "/etc/kubernetes/controller-manager.conf": "File",
            ])
        XCTAssertEqual(try volumes("kube-scheduler"), ["/etc/kubernetes/scheduler.conf": "File"])
        XCTAssertEqual(
            try volumes("kube-proxy"),
            ["/etc/kubernetes/proxy.conf": "File", "/lib/modules": "Directory", "/run/xtables.lock": "FileOrCreate"])
    }

    func testImagesComeFromTheRepositoryAndVersion() throws {
        var config = try modern()
        config.kubernetes.imageRepository = "registry.example.com:5000/k8s"
        config.kubernetes.version = "v1.33.4"
        for name in ["kube-apiserver", "kube-controller-manager", "kube-proxy", "kube-scheduler"] {
            XCTAssertEqual(
                try pod(name, config).spec.containers[0].image, "registry.example.com:5000/k8s/\(name):v1.33.4")
        }
    }

    func testAuthenticationConfigurationIsV1FromKubernetes134AndV1beta1Before() {
        XCTAssertTrue(ModernConfigFiles.authenticationConfig("v1.36.2").contains("apiserver.config.k8s.io/v1\n"))
        XCTAssertTrue(ModernConfigFiles.authenticationConfig("v1.34.0").contains("apiserver.config.k8s.io/v1\n"))
        XCTAssertTrue(ModernConfigFiles.authenticationConfig("v1.33.9").contains("apiserver.config.k8s.io/v1beta1\n"))
    }

    func testDollarSignsInPathsReachTheCommandLiterally() throws {
        var config = try modern()
        config.pki.dir = "/etc/k8s $(HOME)"
        XCTAssertTrue(try command("kube-apiserver", config).contains("--client-ca-file=/etc/k8s $$(HOME)/ca.crt"))
    }

    func testClientCAFileIsLegacyOnly() throws {
        let yaml = try TestSupport.fixtureText("modern-cluster.yaml").replacingOccurrences(
            of: "  bindAddress: 0.0.0.0\n", with: "  bindAddress: 0.0.0.0\n  clientCAFile: /etc/ssl/etcd/ca.crt\n")
        let problems = configProblems(yaml)
        XCTAssertEqual(problems.map(\.path), ["apiServer.clientCAFile"])
        XCTAssertTrue(problems.first?.message.contains("<pki.dir>/ca.crt") == true, "\(problems)")
    }
}
