/// The whole PKI of a master as data, kubeadm's certlist being the model: every certificate with its CA, subject,
/// usage and SANs, the key pairs and secret keys beside them, and the kubeconfigs with their client certificates.
/// Pure and deterministic: the same inputs give the same tree.
package struct PKITree: Equatable, Sendable {
    /// Certificates with a file in the PKI directory, each CA before what it signs (kubeadm's certlist order).
    package var certificates: [CertificateSpec]
    /// Key pairs that are not certificates (`sa`).
    package var keyPairs: [KeyPairSpec]
    /// Random secret keys (the encryption-at-rest key).
    package var encryptionKeys: [EncryptionKeySpec]
    /// Kubeconfigs in `/etc/kubernetes`, each with the client certificate it embeds.
    package var kubeconfigs: [KubeconfigSpec]

    package init(
        certificates: [CertificateSpec], keyPairs: [KeyPairSpec], encryptionKeys: [EncryptionKeySpec],
        kubeconfigs: [KubeconfigSpec]
    ) {
        self.certificates = certificates
        self.keyPairs = keyPairs
        self.encryptionKeys = encryptionKeys
        self.kubeconfigs = kubeconfigs
    }

    /// Every certificate to issue, files first then the kubeconfigs' clients; each CA comes before what it signs.
    package var allCertificates: [CertificateSpec] { certificates + kubeconfigs.map(\.client) }

    /// The certificate named `name` (a PKI entry or a kubeconfig's client), or nil.
    package func certificate(named name: String) -> CertificateSpec? {
        allCertificates.first { $0.name == name }
    }

    /// The CA spec that signs `spec`, or nil for a self-signed CA.
    package func issuer(of spec: CertificateSpec) -> CertificateSpec? {
        spec.issuer.flatMap { certificate(named: $0) }
    }
}

extension PKITree {
    /// The `ca` entry's name, the issuer of the API server certificates and every kubeconfig.
    package static let clusterCA = "ca"
    /// The `front-proxy-ca` entry's name, the issuer of `front-proxy-client` only.
    package static let frontProxyCA = "front-proxy-ca"

    /// The modern profile's tree for the master `inputs.node`, as issue 12 and kubeadm v1.36 lay it out:
    /// shared `ca`, `front-proxy-ca`, `sa` and the encryption key; per node `apiserver`, `apiserver-kubelet-client`,
    /// `front-proxy-client` and six kubeconfigs. The etcd client certificate stays the operator's and is not here.
    package static func modern(_ inputs: ModernPKIInputs) -> PKITree {
        let keyType = inputs.keyType
        // kubeadm puts the CA's own name in its SAN (DNS:kubernetes, DNS:front-proxy-ca); so do we.
        func authority(_ name: String, commonName: String) -> CertificateSpec {
            CertificateSpec(
                name: name, baseName: name, issuer: nil, subject: CertificateSubject(commonName: commonName),
                usage: .certificateAuthority, subjectAltNames: [.dns(commonName)], scope: .shared,
                keyType: keyType, validityDays: inputs.caValidityDays)
        }
        func leaf(
            _ name: String, baseName: String?, issuer: String = clusterCA, _ subject: CertificateSubject,
            _ usage: CertificateUsage, sans: [SubjectAltName] = []
        ) -> CertificateSpec {
            CertificateSpec(
                name: name, baseName: baseName, issuer: issuer, subject: subject, usage: usage,
                subjectAltNames: sans, scope: .perNode, keyType: keyType, validityDays: inputs.leafValidityDays)
        }
        let certificates = [
            authority(clusterCA, commonName: "kubernetes"),
            leaf(
                "apiserver", baseName: "apiserver", CertificateSubject(commonName: "kube-apiserver"), .serverAuth,
                sans: APIServerSANs.required(inputs)),
            leaf(
                "apiserver-kubelet-client", baseName: "apiserver-kubelet-client",
                CertificateSubject(
                    commonName: "kube-apiserver-kubelet-client", organizations: ["kubeadm:cluster-admins"]),
                .clientAuth),
            authority(frontProxyCA, commonName: "front-proxy-ca"),
            leaf(
                "front-proxy-client", baseName: "front-proxy-client", issuer: frontProxyCA,
                CertificateSubject(commonName: "front-proxy-client"), .clientAuth),
        ]

        // admin and super-admin are for people and go through the load balancer; the components and the kubelet use
        // this master's own API server, as kubeadm does since 1.35 (ControlPlaneKubeletLocalMode).
        let endpoint = "https://\(inputs.loadBalancer.dnsName):\(inputs.loadBalancerPort)"
        let local = "https://\(inputs.node.address):\(inputs.securePort)"
        let clients: [(file: String, commonName: String, groups: [String], server: String)] = [
            ("admin.conf", "kubernetes-admin", ["kubeadm:cluster-admins"], endpoint),
            ("super-admin.conf", "kubernetes-super-admin", ["system:masters"], endpoint),
            ("controller-manager.conf", "system:kube-controller-manager", [], local),
            ("scheduler.conf", "system:kube-scheduler", [], local),
            ("kubelet.conf", "system:node:\(inputs.node.name)", ["system:nodes"], local),
            ("proxy.conf", "system:kube-proxy", [], local),
        ]
        let kubeconfigs = clients.map { client in
            KubeconfigSpec(
                fileName: client.file,
                client: leaf(
                    client.file, baseName: nil,
                    CertificateSubject(commonName: client.commonName, organizations: client.groups),
                    .clientAuth),
                clusterName: inputs.clusterName, server: client.server)
        }

        return PKITree(
            certificates: certificates,
            keyPairs: [KeyPairSpec(name: "sa", baseName: "sa", scope: .shared, keyType: keyType)],
            encryptionKeys: [EncryptionKeySpec(name: "key1", provider: "secretbox", byteCount: 32, scope: .shared)],
            kubeconfigs: kubeconfigs)
    }
}
