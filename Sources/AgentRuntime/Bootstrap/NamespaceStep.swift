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
        let me = context.node.name
        let outcome = try LeaderCreatesOnce(
            state: state, clock: context.clock, logger: context.logger, object: "namespace \(Self.namespace)",
            timeout: timeout
        ).run(exists: { try Self.exists(api) }, create: { try create(api) })
        switch outcome {
        case .led(let creation, let takeover):
            let leadNote = takeover.map { "; \($0)" } ?? ""
            if creation != .found {
                context.logger.info(
                    creation == .created ? "created namespace" : "namespace already existed",
                    metadata: ["namespace": "\(Self.namespace)", "leader": "\(me)"])
            }
            switch creation {
            case .found:
                return StepOutcome(
                    step: .namespace, status: .unchanged,
                    message: "\(Self.namespace) exists; \(me) led and had nothing to create\(leadNote)")
            case .created:
                return StepOutcome(
                    step: .namespace, status: .changed,
                    message: "\(me) led and created \(Self.namespace) (201 Created)\(leadNote)")
            case .alreadyExisted:
                return StepOutcome(
                    step: .namespace, status: .unchanged,
                    message: "\(me) led; \(Self.namespace) already existed (409 AlreadyExists)\(leadNote)")
            }
        case .followed(let leader, let waited):
            return StepOutcome(
                step: .namespace, status: .unchanged,
                message:
                    "\(Self.namespace) exists; \(me) followed \(leader) and waited \(ElectionStep.seconds(waited)), created nothing"
            )
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
