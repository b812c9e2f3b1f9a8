/// The example cluster config printed by `master-agent config print-example` (the reference document's cluster).
package enum ExampleConfig {
    package static let yaml = """
        # The cluster of the reference document (000_b219ca6ac791629b.txt), as one
        # master-agent configuration. Rendering it for master01 with the legacy
        # profile must reproduce that document's kubelet unit and four manifests.
        # These addresses are for rendering only: nothing may connect to them in tests.
        apiVersion: master-agent/v1alpha1
        kind: ClusterConfig

        kubernetes:
          profile: legacy-hyperkube          # the only profile the document needs
          version: v1.2.2
          image: quay.io/coreos/hyperkube:v1.2.2_coreos.0

        cluster:
          serviceCIDR: 10.3.0.0/24           # first address (10.3.0.1) is kubernetes.default
          dnsServiceIP: 10.3.0.2
          domain: cluster.local

        loadBalancer:
          dnsName: loadbalancer.example.com
          address: 192.168.3.1               # also the API servers' advertise address (legacy profile)

        masters:
          - name: master01
            dnsName: master01.example.com
            address: 192.168.1.1
          - name: master02
            dnsName: master02.example.com
            address: 192.168.1.2

        etcd:
          endpoints:
            - https://192.168.0.1:2379
            - https://192.168.0.2:2379
            - https://192.168.0.3:2379
          caFile: /etc/ssl/etcd/ca.crt
          certFile: /etc/ssl/etcd/etcd-client.crt
          keyFile: /etc/ssl/etcd/etcd-client.key

        apiServer:
          securePort: 443
          localURL: http://127.0.0.1:8080    # how the kubelet, the other components and the agent reach it
          admissionControl:
            - NamespaceLifecycle
            - NamespaceExists
            - LimitRanger
            - SecurityContextDeny
            - ServiceAccount
            - ResourceQuota

        pki:
          dir: /etc/kubernetes/ssl           # apiserver.key, apiserver.crt, ca.crt
          keyType: rsa-2048
          validityDays: 365

        kubelet:
          binary: /usr/local/bin/kubelet
          manifestDir: /etc/kubernetes/manifests
          housekeepingInterval: 60s
        """

    /// The example for the modern profile (`config print-example --profile modern`): the same HA topology on
    /// Kubernetes v1.36, byte for byte the shared `examples/modern-cluster.yaml` (a test compares them).
    package static let modernYAML = """
        # The reference document's HA topology (three masters behind a load balancer,
        # an external etcd cluster over mutual TLS) brought to a current Kubernetes:
        # profile `modern`. Every field below is part of the format the modern profile
        # must accept; optional ones show their default. As in seed-cluster.yaml, these
        # addresses are for rendering only: nothing may connect to them in tests.
        apiVersion: master-agent/v1alpha1
        kind: ClusterConfig

        kubernetes:
          profile: modern                    # legacy-hyperkube | modern
          version: v1.36.2                   # modern: v1.33.0 .. v1.36.x
          imageRepository: registry.k8s.io   # images <repo>/kube-apiserver:<version>, ...

        cluster:
          name: kubernetes
          serviceCIDR: 10.96.0.0/12          # first address (10.96.0.1) is kubernetes.default
          dnsServiceIP: 10.96.0.10
          domain: cluster.local
          podCIDR: 10.244.0.0/16             # optional; given: kcm allocates node CIDRs

        loadBalancer:
          dnsName: loadbalancer.example.com  # the control-plane endpoint (admin.conf, super-admin.conf); each master's
                                             # kubelet and components use their own local API server
          address: 192.168.3.1
          port: 6443

        masters:
          - name: master01
            dnsName: master01.example.com
            address: 192.168.1.1
          - name: master02
            dnsName: master02.example.com
            address: 192.168.1.2
          - name: master03
            dnsName: master03.example.com
            address: 192.168.1.3

        etcd:                                # external, as in the document
          endpoints:
            - https://192.168.0.1:2379
            - https://192.168.0.2:2379
            - https://192.168.0.3:2379
          caFile: /etc/kubernetes/pki/etcd/ca.crt
          certFile: /etc/kubernetes/pki/apiserver-etcd-client.crt
          keyFile: /etc/kubernetes/pki/apiserver-etcd-client.key

        apiServer:
          bindAddress: 0.0.0.0
          securePort: 6443                   # advertise address: this master's address
          # localURL: https://127.0.0.1:6443 (modern default; the agent authenticates with super-admin.conf)

        pki:
          dir: /etc/kubernetes/pki
          keyType: rsa-2048                  # rsa-2048 | rsa-4096 | ecdsa-p256
          validityDays: 365
          caValidityDays: 3650

        kubelet:
          binary: /usr/bin/kubelet
          manifestDir: /etc/kubernetes/manifests
          containerRuntimeEndpoint: unix:///run/containerd/containerd.sock
          unitRequires: []
          unitAfter: [containerd.service]
        """

    /// The example for `profile`.
    package static func yaml(for profile: RenderProfileName) -> String {
        switch profile {
        case .legacyHyperkube: return yaml
        case .modern: return modernYAML
        }
    }
}
