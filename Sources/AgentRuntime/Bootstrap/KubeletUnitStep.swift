import AgentCore
import Foundation

/// Writes the kubelet unit, then reloads systemd (only if something changed) and enables the unit,
/// without starting it: the document enables first and starts only after the manifests exist.
package struct KubeletUnitStep: BootstrapStepRunner {

    package init() {
    }
    package func run(_ context: BootstrapContext) throws -> StepOutcome {
        let unitPath = context.config.kubelet.unitPath
        let unitName = (unitPath as NSString).lastPathComponent
        var outcome = try KubeletUnitFileStep().run(context)
        // Operator drop-ins are theirs: listed, never removed.
        let dropIns = (try context.files.listDirectory("\(unitPath).d") ?? []).filter { $0.hasSuffix(".conf") }
        let dropInNote = dropIns.isEmpty ? "" : "; drop-ins kept: \(dropIns.joined(separator: ", "))"
        if context.dryRun {
            outcome.message = "unit file \(unitPath)\(dropInNote); dry run: systemd not contacted"
            return outcome
        }
        if let units = context.units {
            let status = try units.status(unitName)
            // systemd 252 does not flag a drop-in directory created after it loaded the unit, so compare
            // the drop-ins on disk with the ones it loaded.
            let onDisk = Set(dropIns.map { "\(unitPath).d/\($0)" })
            let loaded = Set(status.dropInPaths.filter { $0.hasPrefix("\(unitPath).d/") })
            let dropInsStale = status.needDaemonReload || onDisk != loaded
            let plan = UnitDecisions.enablePlan(
                unitFileChanged: context.kubeletUnitChanged, needDaemonReload: dropInsStale,
                unitFileState: status.unitFileState)
            // A reload for changed drop-ins changes how the kubelet runs, so kubelet-start restarts it too.
            if dropInsStale { context.kubeletUnitChanged = true }
            var actions: [String] = []
            if plan.reload {
                try units.reload()
                actions.append("reloaded systemd")
            }
            if plan.enable {
                let result = try units.enable(unitName)
                let links = result.changes.filter { $0.type == "symlink" }.map { "\($0.file) -> \($0.destination)" }
                actions.append(links.isEmpty ? "enabled" : "enabled (\(links.joined(separator: ", ")))")
            }
            if !actions.isEmpty { outcome.status = .changed }
            outcome.message =
                "\(unitName): \(actions.isEmpty ? "already enabled, unit unchanged" : actions.joined(separator: "; "))\(dropInNote)"
            return outcome
        }
        if let offline = context.offlineUnits {
            let unit = context.config.kubernetes.profile.profile.kubeletUnit(
                config: context.config, node: context.node)
            for link in UnitDecisions.installSymlinks(unitPath: unitPath, wantedBy: unit.wantedBy)
            where try offline.ensureSymlink(link.link, target: link.target) {
                outcome.files.append(FileReport(path: link.link, action: .created, detail: "-> \(link.target)"))
                outcome.status = .changed
            }
            outcome.message =
                "\(unitName) enabled offline (no running systemd; nothing reloaded or started)\(dropInNote)"
            return outcome
        }
        throw UnitStepError(
            message:
                "could not enable \(unitName): \(context.unitsUnavailableReason). Run on a booted system as root, or pass --offline (or --root DIR) to enable by symlinks without starting anything."
        )
    }
}

/// A kubelet unit step that could not do its job; the message says what to do.
package struct UnitStepError: Error, CustomStringConvertible {
    package let message: String
    package var description: String { message }
}
