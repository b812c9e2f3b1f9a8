import AgentCore
import FoundationEssentials

/// Runs the selected steps in order, timing each and stopping at the first failure.
/// Steps without a runner are reported as not implemented, never as done.
package struct Bootstrapper {
    package let runners: [BootstrapStep: BootstrapStepRunner]
    /// Monotonic seconds, injected so tests control durations.
    package let now: () -> Double

    package init(runners: [BootstrapStep: BootstrapStepRunner], now: @escaping () -> Double) {
        self.runners = runners
        self.now = now
    }

    /// The result of a run: every outcome and the exit status it calls for.
    package struct Summary: Codable {
        package var outcomes: [StepOutcome]
        package var exitStatus: ExitStatus
    }

    /// Runs `steps` (validate is expected to have run already and be in `prior`); `report` sees each outcome as it ends.
    package func run(
        _ steps: [BootstrapStep], context: BootstrapContext, prior: [StepOutcome],
        report: (StepOutcome) -> Void
    ) -> Summary {
        var outcomes = prior
        var exitStatus = ExitStatus.success
        for step in steps where !prior.contains(where: { $0.step == step }) {
            let started = now()
            var outcome: StepOutcome
            if let runner = runners[step] {
                do {
                    outcome = try runner.run(context)
                } catch {
                    outcome = StepOutcome(step: step, status: .failed, message: "\(error)")
                    outcome.controlPlane = (error as? ControlPlaneWaitError)?.report
                    exitStatus = (error as? ExitStatusProviding)?.exitStatus ?? .failure
                }
            } else {
                outcome = StepOutcome(
                    step: step, status: .notImplemented,
                    message: "this version of master-agent cannot run this step yet; nothing was done for it")
            }
            outcome.durationMilliseconds = Int(((now() - started) * 1000).rounded())
            if outcome.status == .notImplemented && exitStatus == .success { exitStatus = .notImplemented }
            outcomes.append(outcome)
            report(outcome)
            if outcome.status == .failed { break }
        }
        // The namespace step releases the election lock; when it did not run (`--until election`, or
        // `--steps election`), release it here so the other masters need not wait out the lease.
        context.election?.finish()
        context.election = nil
        return Summary(outcomes: outcomes, exitStatus: exitStatus)
    }
}
