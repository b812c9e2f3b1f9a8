import AgentCore
import Foundation

/// The `election` step: picks the lock kind, then acquires the lock or observes who holds it.
/// A leader keeps renewing (in the background) until the namespace step releases the lock.
package struct ElectionStep: BootstrapStepRunner {
    /// Renew on a background thread while leading; unit tests in virtual time turn this off.
    package var renewInBackground = true
    /// Rounds tried while 409s say another master wrote first (each retry reads the winner's record).
    package var maxRaceRetries = 5

    package init(renewInBackground: Bool = true, maxRaceRetries: Int = 5) {
        self.renewInBackground = renewInBackground
        self.maxRaceRetries = maxRaceRetries
    }

    package func run(_ context: BootstrapContext) throws -> StepOutcome {
        if context.dryRun {
            return StepOutcome(step: .election, status: .skipped, message: "dry run: no lock is taken")
        }
        // A converged cluster needs no leader: with kube-system in place there is nothing for one to do,
        // and taking the lock anyway would write to the API on every rerun.
        if context.election == nil,
            (try? NamespaceStep.exists(
                KubernetesAPIClient(transport: try context.localAPI(), baseURL: context.config.apiServer.localURL)))
                == true
        {
            context.kubeSystemFoundBeforeElection = true
            return StepOutcome(
                step: .election, status: .unchanged,
                message: "\(NamespaceStep.namespace) already exists: no leader is needed, the lock was not touched")
        }
        let state = try context.election ?? ElectionState.make(context, renewInBackground: renewInBackground)
        context.election = state
        let elector = state.elector
        var round = try elector.tryAcquireOrRenew()
        var tries = 1
        while case .lostRace = round, tries < maxRaceRetries {
            round = try elector.tryAcquireOrRenew()
            tries += 1
        }
        let me = context.node.name
        let lock = elector.lockDescription
        let message: String
        switch round {
        case .created:
            message = "\(me) leads: acquired \(lock) by creating it"
        case .renewed:
            message = "\(me) leads: already held \(lock) and renewed it"
        case .tookOver(let previous, _):
            message =
                previous.isEmpty
                ? "\(me) leads: took over the released \(lock)"
                : "\(me) leads: took over \(lock) from \(previous)"
        case .following(let holder, let expiresIn):
            message =
                "\(holder) leads (\(lock)); \(me) follows (lease valid \(Self.seconds(expiresIn)) more unless renewed)"
        case .lostRace:
            message =
                "\(elector.observedHolder ?? "another master") leads (\(lock)); \(me) lost \(tries) races for it and follows"
        }
        if round.isLeading { state.startRenewing() }
        state.leaderAtElection = round.isLeading ? me : elector.observedHolder
        return StepOutcome(step: .election, status: round.isLeading ? .changed : .done, message: message)
    }

    /// Seconds with one decimal and a unit, e.g. `1.5s`.
    package static func seconds(_ value: Double) -> String { String(format: "%.1fs", max(0, value)) }
}
