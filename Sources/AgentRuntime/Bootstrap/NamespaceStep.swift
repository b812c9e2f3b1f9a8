import AgentCore
import FoundationEssentials

/// The `namespace` step: the leader creates kube-system (201 Created and 409 AlreadyExists are both
/// success); followers poll for it and take over the lock if the leader's lease lapses first. Where
/// kube-system already exists (every server since v1.3) everyone finds it and creates nothing.
package struct NamespaceStep: BootstrapStepRunner {
    /// The namespace the legacy profile needs created by hand.
    package static let namespace = "kube-system"
    /// Renew on a background thread while leading; unit tests in virtual time turn this off.
    package var renewInBackground = true
    /// Seconds to wait for kube-system before failing.
    package var timeout: Double = 600

    package init(renewInBackground: Bool = true, timeout: Double = 600) {
        self.renewInBackground = renewInBackground
        self.timeout = timeout
    }

    package func run(_ context: BootstrapContext) throws -> StepOutcome {
        if context.dryRun {
            return StepOutcome(
                step: .namespace, status: .skipped, message: "dry run: \(Self.namespace) is neither created nor awaited"
            )
        }
        if context.election == nil && !context.kubeSystemFoundBeforeElection {
            // `--steps namespace` alone: the election still decides who may create.
            _ = try ElectionStep(renewInBackground: renewInBackground).run(context)
        }
        if context.kubeSystemFoundBeforeElection {
            return StepOutcome(
                step: .namespace, status: .unchanged, message: "\(Self.namespace) exists; nothing to create")
        }
        guard let state = context.election else {
            throw ElectionError(
                .notConfigured, object: "namespace \(Self.namespace)", cause: "the election did not start")
        }
        defer { state.finish() }
        let api = KubernetesAPIClient(transport: try context.localAPI(), baseURL: context.config.apiServer.localURL)
        let elector = state.elector
        let me = context.node.name
        let started = context.clock.now()
        let deadline = started + timeout
        var lastProblem = "no answer yet"
        var takeover: String?

        while true {
            do {
                if elector.isLeader {
                    try state.renewIfForeground()
                }
                if elector.isLeader {
                    let leadNote = takeover.map { "; \($0)" } ?? ""
                    if try Self.exists(api) {
                        return StepOutcome(
                            step: .namespace, status: .unchanged,
                            message: "\(Self.namespace) exists; \(me) led and had nothing to create\(leadNote)")
                    }
                    let created = try create(api)
                    context.logger.info(
                        created ? "created namespace" : "namespace already existed",
                        metadata: ["namespace": "\(Self.namespace)", "leader": "\(me)"])
                    return created
                        ? StepOutcome(
                            step: .namespace, status: .changed,
                            message: "\(me) led and created \(Self.namespace) (201 Created)\(leadNote)")
                        : StepOutcome(
                            step: .namespace, status: .unchanged,
                            message: "\(me) led; \(Self.namespace) already existed (409 AlreadyExists)\(leadNote)")
                }
                if try Self.exists(api) {
                    let waited = context.clock.now() - started
                    let leader =
                        elector.observedHolder.flatMap { $0.isEmpty ? nil : $0 } ?? state.leaderAtElection
                        ?? "another master"
                    return StepOutcome(
                        step: .namespace, status: .unchanged,
                        message:
                            "\(Self.namespace) exists; \(me) followed \(leader) and waited \(ElectionStep.seconds(waited)), created nothing"
                    )
                }
                let round = try elector.tryAcquireOrRenew()
                switch round {
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
                        "\(holder) leads and \(Self.namespace) does not exist yet (lease valid \(ElectionStep.seconds(expiresIn)) more)"
                case .lostRace(let reason):
                    lastProblem = "lost a race for the lock: \(reason)"
                }
            } catch let error as APIError where error.isTransient {
                lastProblem = "\(error)"
                context.logger.warning("API request failed; retrying", metadata: ["error": "\(error)"])
            } catch let error as any HTTPTransportFailure {
                lastProblem = "\(error)"
                context.logger.warning("API request failed; retrying", metadata: ["error": "\(error)"])
            }
            if context.clock.now() >= deadline {
                throw ElectionError(
                    .timedOut, object: "namespace \(Self.namespace)",
                    cause: "not there after \(ElectionStep.seconds(timeout)); last: \(lastProblem)")
            }
            context.clock.sleep(elector.timings.followerPollInterval)
        }
    }

    /// True when kube-system exists (GET 200), false on 404; other answers throw.
    package static func exists(_ api: KubernetesAPIClient) throws -> Bool {
        try api.getIfPresent(NamespaceObject.self, "/api/v1/namespaces/\(Self.namespace)") != nil
    }

    // True for 201 Created, false for 409 AlreadyExists (someone else's create won, which is just as good).
    private func create(_ api: KubernetesAPIClient) throws -> Bool {
        do {
            _ = try api.create(NamespaceObject(name: Self.namespace), in: "/api/v1/namespaces")
            return true
        } catch let error as APIError where error.statusReason == .alreadyExists {
            return false
        }
    }
}
