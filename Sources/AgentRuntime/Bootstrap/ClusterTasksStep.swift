import AgentCore
import FoundationEssentials

/// The `cluster-tasks` step (modern profile): what kubeadm does once the control plane answers, so that
/// `admin.conf` works and the masters look like control-plane Nodes.
/// - The elected leader (the bootstrap Lease, as the namespace step) creates ClusterRoleBinding
///   `kubeadm:cluster-admins` -> ClusterRole `cluster-admin` for the group of that name (AlreadyExists counts as
///   done; a name cannot exist twice). Followers wait until it exists and take over if the leader's lease lapses.
/// - Every master labels its own Node `node-role.kubernetes.io/control-plane=` (the NodeRestriction admission
///   forbids the kubelet to set that label itself), waiting at most `nodeTimeout` for the kubelet to register it.
/// Under legacy-hyperkube it is skipped: v1.2 has neither RBAC nor that label, and the namespace step is its task.
package struct ClusterTasksStep: BootstrapStepRunner {
    /// Renew on a background thread while leading; unit tests in virtual time turn this off.
    package var renewInBackground = true
    /// Seconds a follower waits for the leader's ClusterRoleBinding.
    package var bindingTimeout: Double = 600
    /// Seconds to wait for this master's Node to be registered by its kubelet.
    package var nodeTimeout: Double = 180
    /// Seconds between looks for the Node.
    package var nodePollInterval: Double = 2

    package init(
        renewInBackground: Bool = true, bindingTimeout: Double = 600, nodeTimeout: Double = 180,
        nodePollInterval: Double = 2
    ) {
        self.renewInBackground = renewInBackground
        self.bindingTimeout = bindingTimeout
        self.nodeTimeout = nodeTimeout
        self.nodePollInterval = nodePollInterval
    }

    private static let binding = ClusterRoleBindingObject.clusterAdmins
    private static var bindingName: String { binding.metadata.name }

    package func run(_ context: BootstrapContext) throws -> StepOutcome {
        if context.dryRun {
            return StepOutcome(
                step: .clusterTasks, status: .skipped, message: "dry run: nothing is created or labelled")
        }
        guard context.config.kubernetes.profile == .modern else {
            return StepOutcome(
                step: .clusterTasks, status: .skipped,
                message:
                    "the legacy-hyperkube profile has no cluster tasks: its API (v1.2) has no RBAC and no control-plane "
                    + "label; the namespace step is its one cluster task")
        }
        let api = KubernetesAPIClient(transport: try context.localAPI(), baseURL: context.config.apiServer.localURL)
        let binding = try ensureBinding(context, api)
        let label = try labelOwnNode(context, api)
        let changed = binding.changed || label.changed
        return StepOutcome(
            step: .clusterTasks, status: changed ? .changed : .unchanged,
            message: "\(binding.message); \(label.message)")
    }

    // MARK: - the leader's ClusterRoleBinding

    private func ensureBinding(_ context: BootstrapContext, _ api: KubernetesAPIClient) throws -> (
        changed: Bool, message: String
    ) {
        let me = context.node.name
        let name = Self.bindingName
        // A converged cluster: nothing to create, and the lock is not touched.
        if context.election?.elector.isLeader != true, try Self.bindingExists(api) {
            return (false, "ClusterRoleBinding \(name) exists")
        }
        let state = try context.election ?? ElectionState.make(context, renewInBackground: renewInBackground)
        context.election = state
        defer { state.finish() }
        let outcome = try LeaderCreatesOnce(
            state: state, clock: context.clock, logger: context.logger, object: "ClusterRoleBinding \(name)",
            timeout: bindingTimeout
        ).run(exists: { try Self.bindingExists(api) }, create: { try Self.createBinding(api) })
        switch outcome {
        case .led(.found, _):
            return (false, "ClusterRoleBinding \(name) exists; \(me) led")
        case .led(let creation, _):
            let created = creation == .created
            context.logger.info(
                created ? "created ClusterRoleBinding" : "ClusterRoleBinding already existed",
                metadata: ["name": "\(name)", "leader": "\(me)"])
            return created
                ? (true, "\(me) led and created ClusterRoleBinding \(name) -> cluster-admin (201 Created)")
                : (false, "\(me) led; ClusterRoleBinding \(name) already existed (409 AlreadyExists)")
        case .followed(let leader, _):
            return (false, "ClusterRoleBinding \(name) exists; \(me) followed \(leader)")
        }
    }

    /// True when `kubeadm:cluster-admins` exists (GET 200), false on 404; other answers throw.
    package static func bindingExists(_ api: KubernetesAPIClient) throws -> Bool {
        try api.getIfPresent(
            ClusterRoleBindingObject.self, "\(ClusterRoleBindingObject.collectionPath)/\(bindingName)") != nil
    }

    // True for 201 Created, false for 409 AlreadyExists.
    private static func createBinding(_ api: KubernetesAPIClient) throws -> Bool {
        do {
            _ = try api.create(binding, in: ClusterRoleBindingObject.collectionPath)
            return true
        } catch let error as APIError where error.statusReason == .alreadyExists {
            return false
        }
    }

    // MARK: - every master's Node label

    private func labelOwnNode(_ context: BootstrapContext, _ api: KubernetesAPIClient) throws -> (
        changed: Bool, message: String
    ) {
        let me = context.node.name
        let label = NodeObject.controlPlaneLabel
        let started = context.clock.now()
        var lastProblem = "Node \(me) is not registered yet"
        while true {
            do {
                if let node = try api.getIfPresent(NodeObject.self, NodeObject.path(me)) {
                    if node.metadata.labels?[label] != nil { return (false, "Node \(me) already has \(label)") }
                    _ = try api.mergePatch(
                        try NodeObject.labelPatch([label: ""]), at: NodeObject.path(me), returning: NodeObject.self)
                    context.logger.info(
                        "labelled this master's Node", metadata: ["node": "\(me)", "label": "\(label)"])
                    return (true, "labelled Node \(me) \(label)=")
                }
                lastProblem = "Node \(me) is not registered yet"
            } catch let error as APIError where error.isTransient {
                lastProblem = "\(error)"
            } catch let error as any HTTPTransportFailure {
                lastProblem = "\(error)"
            }
            if context.clock.now() - started >= nodeTimeout {
                throw ClusterTasksError(node: me, waited: nodeTimeout, lastProblem: lastProblem)
            }
            context.clock.sleep(nodePollInterval)
        }
    }
}

/// This master's Node never appeared: its kubelet did not register within the wait.
package struct ClusterTasksError: Error, CustomStringConvertible, Equatable {
    package let node: String
    package let waited: Double
    package let lastProblem: String

    package var description: String {
        "could not label Node \(node) \(NodeObject.controlPlaneLabel)=: not registered after "
            + "\(ElectionStep.seconds(waited)) (last: \(lastProblem)). The kubelet on this master has not joined: check "
            + "`journalctl -u kubelet` (it must register as \(node) and reach the API server), then run "
            + "`master-agent bootstrap --steps cluster-tasks` again; the ClusterRoleBinding is already done."
    }
}
