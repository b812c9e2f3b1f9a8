import AgentCore
import FoundationEssentials
import Logging

/// `master-agent supervise`: one master at a time (the holder of its own Lease) approves kubelet serving
/// certificates. Followers look at the Lease every `followerPollInterval` and take over once the leader has not
/// renewed for a lease duration, so a dead leader is replaced within that duration plus one poll.
///
/// The leader lists CSRs every `pollInterval` (1 s by default) instead of watching: approval within 5 s needs no
/// stream, one small GET a second on one master costs nothing, and a list cannot silently stall the way a watch
/// does when a connection drops or its resourceVersion expires (410 Gone): each pass starts from the truth.
package final class Supervisor {
    private let elector: LeaderElector
    private let approver: CSRApprover
    private let clock: MonotonicClock
    private let pollInterval: Double
    private let logger: Logger
    private var renewer: LeaseRenewer?
    private var lastListProblem: String?

    /// The Lease the supervisors share, in `election.namespace`.
    package static let leaseName = "master-agent-supervise"

    /// A supervisor electing with `elector` (its own connection: the renewer thread uses it) and approving with
    /// `approver` (another connection).
    package init(
        elector: LeaderElector, approver: CSRApprover, clock: MonotonicClock, pollInterval: Double = 1,
        logger: Logger
    ) {
        self.elector = elector
        self.approver = approver
        self.clock = clock
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// Runs until `shouldStop()`; then stops renewing and releases the Lease (so another master takes over at once).
    package func run(shouldStop: () -> Bool) {
        var wasLeading = false
        while !shouldStop() {
            if elector.isLeader {
                if !wasLeading {
                    logger.notice("leading: approving kubelet serving certificates", metadata: lockMetadata)
                    wasLeading = true
                }
                if renewer == nil { renewer = LeaseRenewer(elector: elector) }
                approveOnce()
                wait(pollInterval, unless: shouldStop)
            } else {
                if wasLeading {
                    logger.warning("lost the supervise Lease; following", metadata: lockMetadata)
                    wasLeading = false
                }
                // The renewer ended when leadership was lost; join it before electing on this thread.
                renewer?.stop()
                renewer = nil
                electOnce()
                if !elector.isLeader { wait(elector.timings.followerPollInterval, unless: shouldStop) }
            }
        }
        renewer?.stop()
        renewer = nil
        elector.release()
    }

    private var lockMetadata: Logger.Metadata {
        ["lock": "\(elector.lockDescription)", "holder": "\(elector.identity)"]
    }

    private func electOnce() {
        do {
            let round = try elector.tryAcquireOrRenew()
            if case .following(let holder, _) = round {
                logger.debug("following", metadata: ["leader": "\(holder)"])
            }
        } catch {
            logger.warning("could not read or write the supervise Lease", metadata: ["error": "\(error)"])
        }
    }

    private func approveOnce() {
        do {
            _ = try approver.pass()
            if lastListProblem != nil {
                logger.notice("listing certificate signing requests works again")
                lastListProblem = nil
            }
        } catch {
            let problem = "\(error)"
            if problem != lastListProblem {
                logger.warning("could not list certificate signing requests", metadata: ["error": "\(problem)"])
                lastListProblem = problem
            }
        }
    }

    private func wait(_ seconds: Double, unless shouldStop: () -> Bool) {
        let until = clock.now() + seconds
        while !shouldStop(), clock.now() < until {
            clock.sleep(min(0.05, until - clock.now()))
        }
    }
}
