import AgentCore
import Foundation

/// What `master-agent status` reports about a node: files, the kubelet unit, the API, the lock, certificates.
package struct NodeStatus: Codable {
    /// One managed file compared with what the config renders today.
    package struct ManagedFile: Codable, Equatable {
        package enum State: String, Codable { case inSync = "in sync", drifted, missing }
        package let path: String
        package let state: State
    }

    package var files: [ManagedFile] = []
    package var unitEnabled: String?
    package var unitActive: String?
    package var apiHealth: String?
    package var apiHealthy = false
    package var lockHolder: String?
    package var lockKind: String?
    package var certificateDaysLeft: Int?
    package var certificateProblems: [String] = []
    /// Modern profile: the certificates whose subjectAltNames differ from what the config gives today.
    package var certificateNameDrift: [CertificateNameDrift]?
    /// Modern profile: one look at each control-plane component (the targets of wait-control-plane).
    package var components: [ComponentHealth]?
    package var problems: [String] = []

    package var healthy: Bool { problems.isEmpty }

    /// One certificate whose names drifted from the config (`DNS:x`, `IP:x`), as the certificate check found it.
    package struct CertificateNameDrift: Codable, Equatable {
        package let file: String
        /// Names the config gives that the certificate lacks.
        package let added: [String]
        /// Names the certificate carries that the config no longer gives.
        package let removed: [String]

        /// `+IP:192.168.3.9, -DNS:old.example.com`.
        package var summary: String {
            (added.map { "+\($0)" } + removed.map { "-\($0)" }).joined(separator: ", ")
        }
    }

    /// Gathers the status; each part that cannot be read becomes a problem, never a crash. `loopback` reaches the
    /// components that are not the API server (as wait-control-plane does); without it they are not asked.
    package static func gather(_ context: BootstrapContext, loopback: (() throws -> HTTPTransport)? = nil) -> NodeStatus
    {
        var status = NodeStatus()
        let config = context.config
        do {
            // The same comparison bootstrap makes (content, mode, owner), without writing.
            let sync = FileSynchronizer(store: context.files, dryRun: true, logger: context.logger)
            let rendered =
                try ManifestRenderer.all(config: config, node: context.node)
                + ManifestRenderer.supportingFiles(config: config, node: context.node)
            for report in try sync.sync(rendered) {
                let state: ManagedFile.State =
                    report.action == .created ? .missing : (report.action == .unchanged ? .inSync : .drifted)
                status.files.append(ManagedFile(path: report.path, state: state))
                if state != .inSync {
                    status.problems.append("\(report.path) is \(state.rawValue); run master-agent bootstrap")
                }
            }
        } catch {
            status.problems.append("could not compare files: \(error)")
        }
        let unitName = (config.kubelet.unitPath as NSString).lastPathComponent
        if let units = context.units {
            do {
                let unit = try units.status(unitName)
                status.unitEnabled = unit.unitFileState
                status.unitActive = "\(unit.activeState) (\(unit.subState))"
                if unit.unitFileState != "enabled" {
                    status.problems.append(
                        "\(unitName) is \(unit.unitFileState.isEmpty ? "not installed" : unit.unitFileState), not enabled"
                    )
                }
                if unit.activeState != "active" { status.problems.append("\(unitName) is \(unit.activeState)") }
            } catch {
                status.problems.append("could not read \(unitName) from systemd: \(error)")
            }
        } else {
            status.problems.append("could not read \(unitName): \(context.unitsUnavailableReason)")
        }
        do {
            let transport = try context.localAPI()
            var base = config.apiServer.localURL
            while base.hasSuffix("/") { base.removeLast() }
            // One look, judged as wait-api judges (/healthz where /readyz is missing, as on v1.2).
            probe: for path in ["/readyz", "/healthz"] {
                let response = try transport.send(
                    HTTPRequest(url: base + path, timeout: .seconds(3), connectTimeout: .seconds(1)))
                switch HealthVerdict.judge(
                    status: response.status, contentType: response.header("content-type"), body: response.bodyText,
                    retryAfterHeader: response.header("retry-after"))
                {
                case .endpointMissing:
                    continue
                case .ready:
                    status.apiHealthy = true
                    status.apiHealth = "GET \(path): 200 ok"
                case .notReady(let reason, _):
                    status.apiHealth = "GET \(path): \(reason)"
                }
                break probe
            }
            if !status.apiHealthy {
                status.problems.append(
                    "the API server at \(config.apiServer.localURL) is not ready (\(status.apiHealth ?? "no health endpoint"))"
                )
            }
            let client = KubernetesAPIClient(
                transport: transport, baseURL: config.apiServer.localURL, timeout: .seconds(3))
            let lock = try LockDiscovery.chooseLock(
                client: client, namespace: config.election.namespace, name: config.election.lockName,
                logger: context.logger)
            status.lockKind = lock.kind.rawValue
            let holder = try lock.get()?.record.holderIdentity
            status.lockHolder = (holder?.isEmpty ?? true) ? "none (released)" : holder
        } catch {
            status.problems.append("could not ask the API server at \(config.apiServer.localURL): \(error)")
        }
        if config.kubernetes.profile == .modern, let loopback {
            status.lookAtComponents(context, loopback: loopback)
        }
        if let pki = context.pki, let wallClock = context.wallClock {
            do {
                // The whole tree under modern (every certificate and kubeconfig), apiserver.crt under legacy.
                let report =
                    config.kubernetes.profile == .modern
                    ? try ModernCertificateChecker(
                        files: context.files, pki: pki, config: config, node: context.node, now: wallClock.wallNow()
                    ).check()
                    : try CertificateChecker(
                        files: context.files, pki: pki, config: config, now: wallClock.wallNow()
                    ).check()
                status.certificateDaysLeft = report.daysLeft
                if config.kubernetes.profile == .modern {
                    status.certificateNameDrift = report.rows.compactMap { row in
                        guard row.sansMissing != nil || row.sansExtra != nil else { return nil }
                        return CertificateNameDrift(
                            file: row.file, added: row.sansMissing ?? [], removed: row.sansExtra ?? [])
                    }
                }
                status.certificateProblems = report.findings.map(\.message)
                status.problems += report.findings.filter { $0.severity == .error }.map(\.message)
            } catch {
                status.problems.append("could not check certificates: \(error)")
            }
        }
        return status
    }

    private mutating func lookAtComponents(_ context: BootstrapContext, loopback: @escaping () throws -> HTTPTransport)
    {
        do {
            let targets = try WaitControlPlaneStep.targets(context, fromDisk: true)
            let waiter = ControlPlaneWaiter(
                localAPI: context.localAPI, loopback: loopback, clock: context.clock, random: context.random)
            let components = try ControlPlaneHealthLook(waiter: waiter).look(at: targets)
            self.components = components
            for component in components where !component.healthy {
                problems.append(
                    "\(component.component) is not healthy (\(component.lastFailure ?? "no answer")); "
                        + "run master-agent bootstrap --steps wait-control-plane for the cause")
            }
        } catch {
            problems.append("could not check the control plane's components: \(error)")
        }
    }
}
