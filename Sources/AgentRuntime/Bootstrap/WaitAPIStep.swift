import AgentCore

/// The bootstrap's wait-api step: waits for the local API server (`apiServer.localURL`) to answer
/// `ok`, for at most `apiServer.waitTimeout`; the deadline ends the run with exit status 4.
package struct WaitAPIStep: BootstrapStepRunner {
    /// TCP connect probes used while the port still refuses.
    package let probe: TCPConnectProbe

    package init(probe: TCPConnectProbe) {
        self.probe = probe
    }

    /// Waits; throws `APIWaitError` (deadline -> exit 4, TLS -> exit 1) or the transport's setup error.
    package func run(_ context: BootstrapContext) throws -> StepOutcome {
        let url = context.config.apiServer.localURL
        guard context.config.kubernetes.profile != .modern else {
            return StepOutcome(
                step: .waitAPI, status: .skipped,
                message: "under the modern profile wait-control-plane waits for the API server together with the "
                    + "kubelet and the other components (master-agent wait-api still waits for it alone)")
        }
        if context.dryRun {
            return StepOutcome(step: .waitAPI, status: .skipped, message: "dry run: \(url) was not asked")
        }
        let waiter = APIWaiter(
            transport: try context.localAPI(), probe: probe, clock: context.clock, random: context.random)
        var shown: (APIWaitStage, String?)?
        let result = try waiter.wait(for: url, timeout: context.config.apiServer.waitTimeout.seconds) { progress in
            // One log line per change of state, not per attempt.
            guard shown.map({ $0.0 != progress.stage || $0.1 != progress.reason }) ?? true else { return }
            shown = (progress.stage, progress.reason)
            context.logger.info(
                "waiting for the API server",
                metadata: [
                    "stage": "\(progress.stage.rawValue)", "reason": "\(progress.reason ?? "-")",
                    "elapsed": "\(APIWaitSummary.seconds(progress.elapsed))",
                ])
        }
        return StepOutcome(step: .waitAPI, status: .done, message: APIWaitSummary.line(result))
    }
}
