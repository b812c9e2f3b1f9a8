import AgentCore
import Foundation

/// `reset`: takes the control plane off this node. Stops and disables the kubelet (over systemd, or
/// offline by removing the unit's [Install] links), then removes the unit file and the manifests the
/// agent writes, and the TLS material only when asked. Operator drop-ins are never removed.
package struct NodeReset {
    /// Also remove apiserver.key, apiserver.crt, apiserver.csr and ca.crt.
    package let purgePKI: Bool

    /// A reset that keeps the TLS material unless `purgePKI`.
    package init(purgePKI: Bool) {
        self.purgePKI = purgePKI
    }

    /// The files reset removes when they exist: the unit, manifests and configuration files the config
    /// renders, then the TLS material with `purgePKI`. Throws what rendering throws.
    package func paths(config: ClusterConfig, node: ClusterConfig.Master) throws -> [String] {
        let unitAndManifests = try ManifestRenderer.all(config: config, node: node)
        let configFiles = try ManifestRenderer.supportingFiles(config: config, node: node)
        let pki = PKIPaths(config)
        let tlsMaterial = purgePKI ? [pki.key, pki.certificate, pki.csr, pki.ca] : []
        return (unitAndManifests + configFiles).map(\.path) + tlsMaterial
    }

    /// Runs the reset; `report` hears each unit change as it happens (the kubelet stopped, an install
    /// link removed). What systemd refused is in the outcome's problems: the files are removed anyway,
    /// since without manifests a running kubelet stops the control-plane pods.
    /// Throws `NodeResetError` before removing anything when there is neither systemd nor a `--root`
    /// tree to work on, and the file store's error when a file cannot be removed.
    package func run(_ context: BootstrapContext, report: (NodeResetEvent) -> Void) throws -> NodeResetOutcome {
        let unitName = (context.config.kubelet.unitPath as NSString).lastPathComponent
        var outcome = NodeResetOutcome(nodeName: context.node.name, unitName: unitName)
        // 1. Stop and disable the kubelet.
        if let units = context.units {
            outcome.problems += stop(unitName, units: units, timeout: context.unitJobTimeout, report: report)
            if let disabler = units as? UnitDisabler {
                outcome.problems += disable(unitName, disabler: disabler, report: report)
            }
        } else if context.usesAlternateRoot {
            try removeInstallLinks(context, report: report)
        } else {
            throw NodeResetError(unitName: unitName, reason: context.unitsUnavailableReason)
        }
        // 2. Remove the files that exist, so a second reset lists nothing.
        let existing = try paths(config: context.config, node: context.node).filter {
            try context.files.attributes($0) != nil
        }
        for path in existing {
            try context.files.removeFile(path)
            outcome.files.append(FileReport(path: path, action: .removed))
        }
        // Without manifests the node no longer holds a profile: a render with either profile may follow.
        if try context.files.removeFile(NodeProfileRecord.path) {
            outcome.files.append(FileReport(path: NodeProfileRecord.path, action: .removed))
        }
        // 3. Let systemd forget the removed unit file; a failure here changes nothing that was done.
        if let units = context.units { try? units.reload() }
        return outcome
    }

    /// Stops the unit; the problem, if any, that keeps the reset from being complete.
    private func stop(
        _ unitName: String, units: UnitManager, timeout: Double,
        report: (NodeResetEvent) -> Void
    ) -> [String] {
        // A stop job on an inactive unit is "done" too; only a unit that ran was "stopped".
        let wasRunning = (try? units.status(unitName)).map { !["inactive", "failed"].contains($0.activeState) } ?? true
        do {
            let result = try units.run(.stop, unitName, timeout: timeout)
            guard result == "done" else { return ["stopping \(unitName) ended with job result \"\(result)\""] }
            if wasRunning { report(.stopped(unitName)) }
            return []
        } catch let failure as UnitManagerFailure where failure.unitNotFound {
            // Not loaded (an earlier reset, or never installed): nothing runs that could be stopped.
            return []
        } catch {
            return ["could not stop \(unitName): \(error)"]
        }
    }

    /// Disables the unit, reporting each link systemd removed; the problem, if any.
    private func disable(_ unitName: String, disabler: UnitDisabler, report: (NodeResetEvent) -> Void) -> [String] {
        do {
            for change in try disabler.disable(unitName) { report(.removed(change.file)) }
            return []
        } catch let failure as UnitManagerFailure where failure.unitNotFound {
            // No unit file left to disable.
            return []
        } catch {
            return ["could not disable \(unitName): \(error)"]
        }
    }

    /// Removes exactly the links the offline kubelet-unit step made from the unit's [Install] section.
    private func removeInstallLinks(_ context: BootstrapContext, report: (NodeResetEvent) -> Void) throws {
        let config = context.config
        let unit = config.kubernetes.profile.profile.kubeletUnit(config: config, node: context.node)
        for link in UnitDecisions.installSymlinks(unitPath: config.kubelet.unitPath, wantedBy: unit.wantedBy)
        where try context.files.removeFile(link.link) {
            report(.removed(link.link))
        }
    }
}
