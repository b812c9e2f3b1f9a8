import AgentCore
import Foundation

/// Starts the kubelet after the manifests exist (restarts it when its unit changed), waits for the job,
/// then watches it for a few seconds so a kubelet that dies or keeps restarting is reported with its log.
package struct KubeletStartStep: BootstrapStepRunner {

    package init() {
    }
    package func run(_ context: BootstrapContext) throws -> StepOutcome {
        let unitPath = context.config.kubelet.unitPath
        let unitName = (unitPath as NSString).lastPathComponent
        guard let units = context.units else {
            if context.offlineUnits != nil {
                return StepOutcome(
                    step: .kubeletStart, status: .skipped,
                    message: "no running systemd (offline): \(unitName) is enabled and starts at boot")
            }
            throw UnitStepError(message: "could not start \(unitName): \(context.unitsUnavailableReason).")
        }
        let status = try units.status(unitName)
        guard status.loadState == "loaded" else {
            throw UnitStepError(
                message:
                    "could not start \(unitName): systemd reports LoadState \"\(status.loadState)\". Run master-agent bootstrap --steps kubelet-unit first."
            )
        }
        // StartUnit fails at once on a missing Requires= unit (networking.service without ifupdown); say why first.
        var loadStates: [String: String] = [:]
        for dependency in status.requires { loadStates[dependency] = try units.status(dependency).loadState }
        let missing = UnitDecisions.missingDependencies(loadStates)
        if !missing.isEmpty {
            throw UnitStepError(
                message:
                    "could not start \(unitName): it requires \(missing.joined(separator: ", ")), which systemd cannot find (\(missing.map { loadStates[$0]! }.joined(separator: ", "))). "
                    + "On Debian 12 networking.service comes with ifupdown: install ifupdown, or set kubelet.unitRequires in the config (e.g. [network-online.target])."
            )
        }
        // A unit written by an earlier, interrupted run is as changed as one written now: restart when the
        // running kubelet started before the unit file (or a drop-in) was last written.
        let unitFiles = [unitPath] + (status.dropInPaths.filter { $0.hasPrefix("\(unitPath).d/") })
        let newestDefinition = try unitFiles.compactMap { try context.files.attributes($0)?.modifiedAt }.max() ?? 0
        let startedAt = Double(status.execMainStartTimestamp ?? 0) / 1e6
        let staleProcess = startedAt > 0 && newestDefinition > startedAt
        let action = UnitDecisions.startAction(
            activeState: status.activeState, unitChanged: context.kubeletUnitChanged || staleProcess)
        if context.dryRun {
            return StepOutcome(
                step: .kubeletStart, status: .skipped,
                message: "dry run: would \(action == .none ? "leave it running" : action.rawValue) \(unitName)")
        }
        guard action != .none else {
            return StepOutcome(
                step: .kubeletStart, status: .unchanged,
                message: "\(unitName) already \(status.activeState) (\(status.subState)), unit unchanged")
        }
        let result = try units.run(action == .restart ? .restart : .start, unitName, timeout: context.unitJobTimeout)
        guard result == "done" else { throw failure(context, unitName, "job \(result) (result \"\(result)\")") }

        // A kubelet may start and die, or loop on Restart=always: watch NRestarts for a while.
        let first = try units.status(unitName)
        let deadline = context.clock.now() + context.kubeletSettleSeconds
        var latest = first
        while context.clock.now() < deadline {
            context.clock.sleep(0.5)
            latest = try units.status(unitName)
            // "auto-restart" is the pause between a crash and systemd's next try (RestartSec=).
            let restarts = (latest.nRestarts ?? 0) - (first.nRestarts ?? 0)
            if latest.activeState == "failed" || latest.subState == "auto-restart" || restarts > 0 {
                let what =
                    restarts > 0
                    ? "restarted \(restarts) time(s)"
                    : (latest.activeState == "failed" ? "failed" : "exited and waits to be restarted")
                throw failure(
                    context, unitName,
                    "it \(what) after starting (ActiveState \(latest.activeState), SubState \(latest.subState), Result \(latest.result ?? "-"))"
                )
            }
        }
        return StepOutcome(
            step: .kubeletStart, status: .changed,
            message:
                "\(action == .restart ? "restarted" : "started") \(unitName): \(latest.activeState) (\(latest.subState))"
        )
    }

    private func failure(_ context: BootstrapContext, _ unit: String, _ what: String) -> UnitStepError {
        let lines = context.journal?.lastLines(unit: unit, count: 15) ?? []
        let log =
            lines.isEmpty
            ? " (no journal lines found)" : "; last log lines:\n" + lines.map { "    \($0)" }.joined(separator: "\n")
        return UnitStepError(
            message:
                "could not start \(unit): \(what). Check ExecStart in \(context.config.kubelet.unitPath) and the kubelet binary \(context.config.kubelet.binary)\(log)"
        )
    }
}
