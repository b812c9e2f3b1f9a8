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
}
