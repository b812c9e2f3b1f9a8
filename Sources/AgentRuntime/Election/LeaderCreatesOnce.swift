import AgentCore
import FoundationEssentials
import Logging

/// One cluster-wide object made once, by the elected leader: the leader creates it (201 Created and 409
/// AlreadyExists are both success); the other masters poll until it exists and take over the lock when the leader's
/// lease lapses first. The namespace step (kube-system) and the cluster-tasks step (ClusterRoleBinding) share it.
package struct LeaderCreatesOnce {
    /// How the object came to exist, from this master's side.
    package enum Outcome: Equatable {
        /// This master led: it found the object, created it, or its create met AlreadyExists. `takeover` says how it
        /// came to lead when that happened while waiting.
        case led(Creation, takeover: String?)
        /// Another master led; this one waited `waited` seconds for the object.
        case followed(leader: String, waited: Double)
    }

    package enum Creation: Equatable { case found, created, alreadyExisted }

    let state: ElectionState
    let clock: MonotonicClock
    let logger: Logger
    /// The object for messages: `namespace kube-system`, `ClusterRoleBinding kubeadm:cluster-admins`.
    let object: String
    /// Seconds to wait for the object before failing.
    let timeout: Double

    package init(state: ElectionState, clock: MonotonicClock, logger: Logger, object: String, timeout: Double) {
        self.state = state
        self.clock = clock
        self.logger = logger
        self.object = object
        self.timeout = timeout
    }

    /// Runs until the object exists. `exists` GETs it; `create` POSTs it (true for 201, false for 409). Throws
    /// `ElectionError(.timedOut)` naming the last problem, or a non-transient API error.
    package func run(exists: () throws -> Bool, create: () throws -> Bool) throws -> Outcome {
        let elector = state.elector
        let started = clock.now()
        var lastProblem = "no answer yet"
        var takeover: String?
        while true {
            do {
                if elector.isLeader { try state.renewIfForeground() }
                if elector.isLeader {
                    if try exists() { return .led(.found, takeover: takeover) }
                    return .led(try create() ? .created : .alreadyExisted, takeover: takeover)
                }
                if try exists() {
                    let leader =
                        elector.observedHolder.flatMap { $0.isEmpty ? nil : $0 } ?? state.leaderAtElection
                        ?? "another master"
                    return .followed(leader: leader, waited: clock.now() - started)
                }
                switch try elector.tryAcquireOrRenew() {
                case .tookOver(let previous, let unrenewedFor):
                    takeover =
                        previous.isEmpty
                        ? "took over the released lock"
                        : "took over from \(previous), whose lease went unrenewed for \(ElectionStep.seconds(unrenewedFor))"
                    state.startRenewing()
                    continue
                case .created, .renewed:
                    takeover = "acquired the lock while waiting"
                    state.startRenewing()
                    continue
                case .following(let holder, let expiresIn):
                    lastProblem =
                        "\(holder) leads and \(object) does not exist yet (lease valid \(ElectionStep.seconds(expiresIn)) more)"
                case .lostRace(let reason):
                    lastProblem = "lost a race for the lock: \(reason)"
                }
            } catch let error as APIError where error.isTransient {
                lastProblem = "\(error)"
                logger.warning("API request failed; retrying", metadata: ["error": "\(error)"])
            } catch let error as any HTTPTransportFailure {
                lastProblem = "\(error)"
                logger.warning("API request failed; retrying", metadata: ["error": "\(error)"])
            }
            if clock.now() - started >= timeout {
                throw ElectionError(
                    .timedOut, object: object,
                    cause: "not there after \(ElectionStep.seconds(timeout)); last: \(lastProblem)")
            }
            clock.sleep(elector.timings.followerPollInterval)
        }
    }
}
