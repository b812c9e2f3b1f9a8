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
    /// manifest is not the one the config renders.
    package func roll(_ renewal: ModernCertificateRenewer.Result) throws -> [String] {
        let pods = CertificateRestartAnnotation.affectedPods(by: renewal.renewed)
        guard !pods.isEmpty else { return [] }
        let digests = try currentDigests(of: pods)
        let plain = ModernProfile().staticPods(config: config, node: node)
        var writes: [FileWrite] = []
        var previous: [FileWrite] = []
        for pod in plain where pods.contains(pod.metadata.name) {
            let path = "\(config.kubelet.manifestDir)/\(pod.metadata.name).yaml"
            guard let existing = try files.readFile(path) else {
                throw RenewalFileProblem(file: path, problem: "is missing; run `master-agent bootstrap` first")
            }
            try requireRendered(existing.data, pod: pod, path: path)
            let annotated = CertificateRestartAnnotation.annotated(pod, digests: digests)
            writes.append(FileWrite(path: path, data: Data(try ManifestRenderer.yaml(annotated).utf8), mode: 0o600))
            previous.append(FileWrite(path: path, data: existing.data, mode: existing.mode))
        }
        try files.writeAtomically(writes)
        logger.notice("restarting static pods for their renewed certificates", metadata: ["pods": "\(pods)"])
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

    /// Digests of every tree entry the pods read, as the files hold them now (renewed or not).
    private func currentDigests(of pods: [String]) throws -> [String: String] {
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

    /// The manifest must be what the config renders, with or without a restart annotation: then the new one differs
    /// from it in that annotation only.
    private func requireRendered(_ data: Data, pod: StaticPod, path: String) throws {
        let rendered = try ManifestRenderer.yaml(pod)
        let text = String(decoding: data, as: UTF8.self)
        let withoutAnnotation = text.components(separatedBy: "\n").filter {
            $0 != "  annotations:" && !$0.hasPrefix("    \(CertificateRestartAnnotation.key): ")
        }.joined(separator: "\n")
        guard withoutAnnotation == rendered else {
            throw RenewalFileProblem(
                file: path,
                problem:
                    "is not what the config renders; run `master-agent bootstrap --steps manifests` first so that the restart changes only its annotation"
            )
        }
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
