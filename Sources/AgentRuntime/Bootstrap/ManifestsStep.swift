import AgentCore
import Foundation

/// Writes the files the static pods read (the profile's directories and configuration files), then the
/// static-pod manifests into `kubelet.manifestDir`, and removes duplicates of them.
package struct ManifestsStep: BootstrapStepRunner {

    package init() {
    }
    package func run(_ context: BootstrapContext) throws -> StepOutcome {
        let directory = context.config.kubelet.manifestDir
        let manifests = try ManifestRenderer.manifests(
            config: context.config, node: context.node, certificateDigests: try keptRestartDigests(context))
        let sync = FileSynchronizer(store: context.files, dryRun: context.dryRun, logger: context.logger)
        // What a pod reads is in place before the kubelet can see the pod.
        var files = try supportingFiles(context, sync: sync)
        if !context.dryRun, try context.files.ensureDirectory(directory, mode: 0o700) {
            context.logger.info("created manifest directory", metadata: ["path": "\(directory)"])
        }
        files += try sync.removeLeftoverTemporaryFiles(in: directory)
        files += try sync.sync(manifests)
        files += try sync.removeDuplicatePods(of: manifests, in: directory)
        // Recorded once the manifests are on disk, so a later run with the other profile is refused.
        if !context.dryRun { try NodeProfileRecord.write(context.files, profile: context.config.kubernetes.profile) }
        return .fromFiles(.manifests, files, message: "\(manifests.count) manifests in \(directory)")
    }

    /// A renewal restarted some pods by `CertificateRestartAnnotation`; their manifests keep it, computed from the
    /// certificates on disk (the same value unless a certificate changed since), so a later bootstrap neither drops
    /// it nor restarts those pods once more. Pods without it stay without it.
    private func keptRestartDigests(_ context: BootstrapContext) throws -> [String: String] {
        let config = context.config
        guard config.kubernetes.profile == .modern, let cipher = context.secretsCipher else { return [:] }
        var annotated: [String] = []
        for pod in CertificateRestartAnnotation.entriesByPod.keys.sorted() {
            let path = "\(config.kubelet.manifestDir)/\(pod).yaml"
            if let file = try context.files.readFile(path),
                CertificateRestartAnnotation.isPresent(inManifest: String(decoding: file.data, as: UTF8.self))
            {
                annotated.append(pod)
            }
        }
        guard !annotated.isEmpty else { return [:] }
        return try RenewalRollout.digestsOnDisk(
            files: context.files, config: config, node: context.node, pods: annotated,
            digest: { try RenewalRollout.certificateDigest($0, sha256: cipher.sha256) })
    }

    // The profile's directories (with their modes) and configuration files; none under legacy.
    private func supportingFiles(_ context: BootstrapContext, sync: FileSynchronizer) throws -> [FileReport] {
        let config = context.config
        var reports = try ManifestRenderer.directories(config: config, node: context.node).map(sync.ensureDirectory)
        let files = try ManifestRenderer.supportingFiles(config: config, node: context.node)
        let parents = Set(files.map { ($0.path as NSString).deletingLastPathComponent })
        for parent in parents.sorted() {
            if !context.dryRun { _ = try context.files.ensureDirectory(parent, mode: 0o755) }
            reports += try sync.removeLeftoverTemporaryFiles(in: parent)
        }
        return reports + (try sync.sync(files))
    }
}

/// Writes the kubelet unit file. Enabling it over sd-bus belongs to this step too and is reported separately.
package struct KubeletUnitFileStep: BootstrapStepRunner {

    package init() {
    }
    package func run(_ context: BootstrapContext) throws -> StepOutcome {
        let unit = try ManifestRenderer.kubeletUnit(config: context.config, node: context.node)
        let directory = (unit.path as NSString).deletingLastPathComponent
        let sync = FileSynchronizer(store: context.files, dryRun: context.dryRun, logger: context.logger)
        if !context.dryRun { _ = try context.files.ensureDirectory(directory, mode: 0o755) }
        var files = try sync.removeLeftoverTemporaryFiles(in: directory)
        files += try sync.sync([unit])
        context.kubeletUnitChanged = files.contains { $0.path == unit.path && $0.action != .unchanged }
        return .fromFiles(.kubeletUnit, files, message: "unit file \(unit.path)")
    }
}
