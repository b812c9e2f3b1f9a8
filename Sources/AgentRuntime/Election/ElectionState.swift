import AgentCore
import FoundationEssentials

/// The election of one bootstrap run, shared by the election and namespace steps through
/// `BootstrapContext.election`: the elector, its background renewer, and what the election step saw.
package final class ElectionState {
    /// The elector (with its own HTTP connection, separate from `BootstrapContext.localAPI()`).
    package let elector: LeaderElector
    /// Whether the leader renews on a background thread (unit tests in virtual time turn it off).
    package let renewInBackground: Bool
    /// The holder when the election step finished.
    package var leaderAtElection: String?
    private var renewer: LeaseRenewer?

    /// Wraps `elector`.
    package init(elector: LeaderElector, renewInBackground: Bool) {
        self.elector = elector
        self.renewInBackground = renewInBackground
    }

    /// Builds the election for `context`: validates the timings, opens a second connection to the
    /// local API, and picks the lock kind by discovery. Throws `LeaseTimingsError`, `ElectionError`,
    /// `HTTPTransportFailure`.
    package static func make(_ context: BootstrapContext, renewInBackground: Bool) throws -> ElectionState {
        let settings = context.config.election
        let timings = try LeaseTimings(settings)
        guard let wallClock = context.wallClock else {
            throw ElectionError(
                .notConfigured, object: "\(settings.namespace)/\(settings.lockName)",
                cause: "the context has no wall clock")
        }
        // A connection of its own: the renewer thread must never share a curl handle with the step's thread.
        let client = KubernetesAPIClient(
            transport: try context.makeAPITransport(), baseURL: context.config.apiServer.localURL)
        let lock = try LockDiscovery.chooseLock(
            client: client, namespace: settings.namespace, name: settings.lockName,
            logger: context.logger)
        let elector = LeaderElector(
            lock: lock, identity: context.node.name, timings: timings, clock: context.clock,
            wallClock: wallClock, logger: context.logger)
        return ElectionState(elector: elector, renewInBackground: renewInBackground)
    }

    /// Starts background renewal when enabled and not already running.
    package func startRenewing() {
        guard renewInBackground, renewer == nil else { return }
        renewer = LeaseRenewer(elector: elector)
    }

    /// Renews now when leading and renewal is not running in the background (interleaved renewal).
    package func renewIfForeground() throws {
        guard !renewInBackground, elector.isLeader else { return }
        _ = try elector.tryAcquireOrRenew()
    }

    /// Stops renewing and releases the lock if we hold it.
    package func finish() {
        renewer?.stop()
        renewer = nil
        elector.release()
    }
}
