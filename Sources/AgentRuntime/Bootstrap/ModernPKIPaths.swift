import AgentCore

/// Where each item of the modern `PKITree` lives on the node: kubeadm's names under `pki.dir`, the kubeconfigs and
/// the encryption config in `/etc/kubernetes` (`ModernLayout`). Requests follow `kubeadm certs generate-csr`:
/// `<pki.dir>/apiserver.csr` beside its key, `/etc/kubernetes/admin.conf.csr` beside its kubeconfig.
package struct ModernPKIPaths: Sendable {
    /// `pki.dir`.
    package let dir: String

    package init(_ config: ClusterConfig) {
        dir = config.pki.dir
    }

    /// The certificate's file: `<dir>/<base>.crt`, or the kubeconfig that embeds it.
    package func certificate(_ spec: CertificateSpec) -> String {
        spec.certificateFile.map { "\(dir)/\($0)" } ?? ModernLayout.kubeconfig(spec.name)
    }

    /// The key's file: `<dir>/<base>.key`, or the kubeconfig that embeds it.
    package func key(_ spec: CertificateSpec) -> String {
        spec.keyFile.map { "\(dir)/\($0)" } ?? ModernLayout.kubeconfig(spec.name)
    }

    /// The request made when no CA key is at hand: `<dir>/<base>.csr` or `/etc/kubernetes/<name>.csr`.
    package func request(_ spec: CertificateSpec) -> String {
        spec.baseName.map { "\(dir)/\($0).csr" } ?? ModernLayout.kubeconfig("\(spec.name).csr")
    }

    /// The name a request and its signed certificate carry outside the node (`apiserver`, `admin.conf`): the
    /// spec's name, so `certs sign` finds the entry again.
    package static func requestStem(_ spec: CertificateSpec) -> String { spec.name }

    /// `<dir>/sa.key`.
    package func privateKey(_ pair: KeyPairSpec) -> String { "\(dir)/\(pair.privateKeyFile)" }

    /// `<dir>/sa.pub`.
    package func publicKey(_ pair: KeyPairSpec) -> String { "\(dir)/\(pair.publicKeyFile)" }

    /// `/etc/kubernetes/<fileName>`.
    package func kubeconfig(_ spec: KubeconfigSpec) -> String { ModernLayout.kubeconfig(spec.fileName) }

    /// `/etc/kubernetes/encryption-config.yaml`.
    package var encryptionConfig: String { ModernLayout.encryptionConfig }

    /// Every file of the tree that is the same on every master, in the order an operator copies them.
    package func sharedFiles(_ tree: PKITree) -> [String] {
        var files: [String] = []
        for spec in tree.certificates where spec.scope == .shared {
            files += [certificate(spec), key(spec)]
        }
        for pair in tree.keyPairs where pair.scope == .shared {
            files += [privateKey(pair), publicKey(pair)]
        }
        if tree.encryptionKeys.contains(where: { $0.scope == .shared }) { files.append(encryptionConfig) }
        return files
    }
}
