import AgentCore
import FoundationEssentials
import Logging

/// What follows a renewal on a running master: the manifests of exactly the static pods whose certificates changed
/// get a new `CertificateRestartAnnotation` (the kubelet restarts those pods), the agent waits until their components
/// are healthy, and when they do not come back it puts the old certificates and manifests back (a second restart)
/// and fails naming them. Taking and releasing the Lease around this is the caller's.
package struct RenewalRollout {
    let files: FileStore
    let config: ClusterConfig
    let node: ClusterConfig.Master
    /// The hex SHA-256 of a certificate PEM's first certificate (the PKI toolkit's).
    let digest: (Data) throws -> String
    /// Waits until the components of the named pods are healthy; returns the ones that are not.
    let waitHealthy: ([String]) throws -> [String]
    let logger: Logger

    package init(
        files: FileStore, config: ClusterConfig, node: ClusterConfig.Master, digest: @escaping (Data) throws -> String,
        waitHealthy: @escaping ([String]) throws -> [String], logger: Logger
    ) {
        self.files = files
        self.config = config
        self.node = node
        self.digest = digest
        self.waitHealthy = waitHealthy
        self.logger = logger
    }

    /// Restarts the pods `renewal` affects and waits for them; returns their names. Throws `RenewalRolledBack`
    /// after restoring the old files when they do not come back, `RenewalFileProblem` (writing nothing) when a
    /// manifest is not as the agent writes it.
    package func roll(_ renewal: ModernCertificateRenewer.Result) throws -> [String] {
        let (pods, previous) = try annotateOrRestore(renewal)
        guard !pods.isEmpty else { return [] }
        let unhealthy = try waitHealthy(pods)
        guard !unhealthy.isEmpty else { return pods }
        logger.error(
            "components did not come back after the renewal; restoring the old certificates and manifests",
            metadata: ["unhealthy": "\(unhealthy)"])
        try files.writeAtomically(renewal.previous + previous)
        let stillUnhealthy = try waitHealthy(pods)
        throw RenewalRolledBack(
            unhealthy: unhealthy, restored: (renewal.previous + previous).map(\.path),
            unhealthyAfterRestore: stillUnhealthy)
    }

    /// Only makes the kubelet restart the pods `renewal` affects (no wait, no rollback): for a renewal of expired
    /// certificates while the API is down, when the old files are of no use to put back. Returns the pods.
    package func restartWithoutWaiting(_ renewal: ModernCertificateRenewer.Result) throws -> [String] {
        try annotateOrRestore(renewal).pods
    }

    /// `annotate`, putting the renewal's old files back when a manifest cannot be annotated: new certificates that
    /// no pod was told to load would stay unnoticed (nothing is due any more) until the pods restart by chance.
    private func annotateOrRestore(_ renewal: ModernCertificateRenewer.Result) throws -> (
        pods: [String], previous: [FileWrite]
    ) {
        do {
            return try annotate(renewal)
        } catch {
            logger.error(
                "could not restart the pods for the renewed certificates; putting the old ones back",
                metadata: ["error": "\(error)"])
            try files.writeAtomically(renewal.previous)
            throw error
        }
    }

    /// Writes the new annotation into the manifests of the pods `renewal` affects; returns them and what the
    /// manifests held before.
    private func annotate(_ renewal: ModernCertificateRenewer.Result) throws -> (pods: [String], previous: [FileWrite])
    {
        let pods = CertificateRestartAnnotation.affectedPods(by: renewal.renewed)
        guard !pods.isEmpty else { return ([], []) }
        let digests = try currentDigests(of: pods)
        var writes: [FileWrite] = []
        var previous: [FileWrite] = []
        var restarted: [String] = []
        for pod in pods {
            let path = "\(config.kubelet.manifestDir)/\(pod).yaml"
            // No manifest yet (a bootstrap before its manifests step): the kubelet runs no such pod, and the
            // manifests step renders it with the certificates as they are now.
            guard let existing = try files.readFile(path) else { continue }
            let annotated = CertificateRestartAnnotation.annotated(
                try Self.decodeAsWritten(existing.data, path: path), digests: digests)
            writes.append(FileWrite(path: path, data: Data(try ManifestRenderer.yaml(annotated).utf8), mode: 0o600))
            previous.append(FileWrite(path: path, data: existing.data, mode: existing.mode))
            restarted.append(pod)
        }
        try files.writeAtomically(writes)
        if !restarted.isEmpty {
            logger.notice("restarting static pods for their renewed certificates", metadata: ["pods": "\(restarted)"])
        }
        return (restarted, previous)
    }

    /// Digests of every tree entry the pods read, as the files hold them now (renewed or not).
    private func currentDigests(of pods: [String]) throws -> [String: String] {
        try Self.digestsOnDisk(files: files, config: config, node: node, pods: pods, digest: digest)
    }

    /// The hex digest (`digest`) of each tree entry's certificate that `pods` read, from the files in `files`;
    /// throws `RenewalFileProblem` for a missing one.
    package static func digestsOnDisk(
        files: FileStore, config: ClusterConfig, node: ClusterConfig.Master, pods: [String],
        digest: (Data) throws -> String
    ) throws -> [String: String] {
        let tree = PKITree.modern(ModernPKIInputs(config, node: node))
        let paths = ModernPKIPaths(config)
        var digests: [String: String] = [:]
        for entry in Set(pods.flatMap { CertificateRestartAnnotation.entriesByPod[$0] ?? [] }) {
            guard let spec = tree.certificate(named: entry) else { continue }
            let path = paths.certificate(spec)
            guard let file = try files.readFile(path) else {
                throw RenewalFileProblem(file: path, problem: "is missing")
            }
            let pem =
                spec.keyFile != nil
                ? file.data
                : try Kubeconfig.decode(String(decoding: file.data, as: UTF8.self), file: path)
                    .currentCredentials(file: path).clientCertificatePEM
            digests[entry] = try digest(pem)
        }
        return digests
    }

    /// The annotation's digest of a certificate PEM: lower-case hex SHA-256 of its first certificate's DER (as
    /// `openssl x509 -outform der | sha256sum` prints it).
    package static func certificateDigest(_ pem: Data, sha256: (Data) throws -> Data) throws -> String {
        guard let der = PEMDocument.firstBlockDER(pem, label: "CERTIFICATE") else {
            throw RenewalFileProblem(file: "certificate", problem: "holds no PEM certificate")
        }
        return PEMDocument.lowerHex(try sha256(der))
    }

    /// The manifest on disk as a pod, annotated as data (not rendered again from the config, so what the operator or
    /// a test placed there stays). It must be exactly what the agent writes for that pod: then writing it back with
    /// a new annotation changes that annotation only, and no field the agent does not model is dropped.
    static func decodeAsWritten(_ data: Data, path: String) throws -> StaticPod {
        guard let pod = StaticPod.decodeAsWritten(String(decoding: data, as: UTF8.self)) else {
            throw RenewalFileProblem(
                file: path,
                problem:
                    "is not as the agent writes it (edited by hand?); run `master-agent bootstrap --steps manifests` first so that the restart changes only its annotation"
            )
        }
        return pod
    }
}

/// Components that did not come back after a renewal: the old files were put back.
package struct RenewalRolledBack: Error, CustomStringConvertible {
    package let unhealthy: [String]
    package let restored: [String]
    package let unhealthyAfterRestore: [String]

    package var description: String {
        let after =
            unhealthyAfterRestore.isEmpty
            ? "they are healthy again with the old certificates"
            : "still unhealthy with the old certificates: \(unhealthyAfterRestore.joined(separator: ", ")); look at their logs (crictl logs)"
        return
            "certificate renewal failed: \(unhealthy.joined(separator: ", ")) did not become healthy with the new certificates; restored \(restored.joined(separator: ", ")) and restarted them; \(after)"
    }
}
