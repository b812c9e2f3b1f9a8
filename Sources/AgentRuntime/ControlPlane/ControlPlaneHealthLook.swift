import AgentCore
import FoundationEssentials
import Logging

/// One short look at every control-plane component of this master (the targets of wait-control-plane), for
/// `master-agent status` and the supervisor's periodic re-check: each component asked with the same requests as
/// the wait, for a few seconds at most, never waiting for a component to come up.
package struct ControlPlaneHealthLook {
    package let waiter: ControlPlaneWaiter
    /// Seconds one look may take in all; a component that has not answered `ok` by then is reported unhealthy.
    package var seconds: Double = 3

    package init(waiter: ControlPlaneWaiter) {
        self.waiter = waiter
    }

    /// Each component healthy or not, with the last failure; throws only when a transport cannot be built.
    package func look(at targets: [HealthTarget]) throws -> [ComponentHealth] {
        let (progress, _, _) = try waiter.wait(for: targets, timeout: seconds)
        return progress.map { item in
            ComponentHealth(
                component: item.target.component, urls: item.target.urls, healthy: item.healthy,
                secondsToHealthy: item.secondsToHealthy, attempts: item.attempts, lastFailure: item.last?.line)
        }
    }
}

/// Remembers each component's health between looks and logs only the changes: a component that turns unhealthy
/// at error priority (journald shows it red, `journalctl -p err` finds it), one that recovers at notice, and the
/// first look's verdict once. A look that cannot be taken is logged once until it can be again.
package final class ControlPlaneHealthWatch {
    private let targets: () throws -> [HealthTarget]
    private let look: ControlPlaneHealthLook
    private let logger: Logger
    private var healthy: [String: Bool] = [:]
    private var lastProblem: String?

    /// A change of one component's health, as logged.
    package struct Change: Equatable, Sendable {
        package var component: String
        package var healthy: Bool
        package var detail: String?
    }

    package init(targets: @escaping () throws -> [HealthTarget], look: ControlPlaneHealthLook, logger: Logger) {
        self.targets = targets
        self.look = look
        self.logger = logger
    }

    /// Takes one look and logs what changed since the last; returns the changes.
    @discardableResult
    package func check() -> [Change] {
        let components: [ComponentHealth]
        do {
            components = try look.look(at: try targets())
            if lastProblem != nil { logger.notice("the control plane can be checked again") }
            lastProblem = nil
        } catch {
            let problem = "\(error)"
            if problem != lastProblem {
                logger.warning("could not check the control plane", metadata: ["error": "\(problem)"])
                lastProblem = problem
            }
            return []
        }
        let first = healthy.isEmpty
        var changes: [Change] = []
        for component in components where healthy[component.component] != component.healthy {
            healthy[component.component] = component.healthy
            changes.append(
                Change(component: component.component, healthy: component.healthy, detail: component.lastFailure))
        }
        report(changes, first: first, all: components)
        return changes
    }

    private func report(_ changes: [Change], first: Bool, all: [ComponentHealth]) {
        if first, all.allSatisfy(\.healthy) {
            logger.notice(
                "control plane healthy", metadata: ["components": "\(all.map(\.component).joined(separator: ","))"])
            return
        }
        for change in changes {
            if change.healthy {
                logger.notice(
                    first ? "component healthy" : "component healthy again",
                    metadata: ["component": "\(change.component)"])
            } else {
                logger.error(
                    "component not healthy",
                    metadata: ["component": "\(change.component)", "last": "\(change.detail ?? "no answer")"])
            }
        }
    }
}
