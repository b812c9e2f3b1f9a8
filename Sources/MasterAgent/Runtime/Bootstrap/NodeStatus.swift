import Foundation

/// What `master-agent status` reports about a node: files, the kubelet unit, the API, the lock, certificates.
struct NodeStatus: Codable {
    /// One managed file compared with what the config renders today.
    struct ManagedFile: Codable, Equatable {
        enum State: String, Codable { case inSync = "in sync", drifted, missing }
        let path: String
        let state: State
    }

    var files: [ManagedFile] = []
    var unitEnabled: String?
    var unitActive: String?
    var apiHealth: String?
    var apiHealthy = false
    var lockHolder: String?
    var lockKind: String?
    var certificateDaysLeft: Int?
    var certificateProblems: [String] = []
    var problems: [String] = []

    var healthy: Bool { problems.isEmpty }

    /// Gathers the status; each part that cannot be read becomes a problem, never a crash.
    static func gather(_ context: BootstrapContext) -> NodeStatus {
        var status = NodeStatus()
        let config = context.config
        do {
            for file in try ManifestRenderer.all(config: config, node: context.node) {
                let current = try context.files.readFile(file.path)
                let state: ManagedFile.State = current == nil ? .missing : (current!.data == Data(file.content.utf8) ? .inSync : .drifted)
                status.files.append(ManagedFile(path: file.path, state: state))
                if state != .inSync { status.problems.append("\(file.path) is \(state.rawValue); run master-agent bootstrap") }
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
                if unit.unitFileState != "enabled" { status.problems.append("\(unitName) is \(unit.unitFileState.isEmpty ? "not installed" : unit.unitFileState), not enabled") }
                if unit.activeState != "active" { status.problems.append("\(unitName) is \(unit.activeState)") }
            } catch {
                status.problems.append("could not read \(unitName) from systemd: \(error)")
            }
        } else {
            status.problems.append("could not read \(unitName): \(context.unitsUnavailableReason)")
        }
        do {
            let transport = try context.localAPI()
            var answered = false
            for path in ["/readyz", "/healthz"] where !answered {
                let response = try transport.send(HTTPRequest(url: config.apiServer.localURL + path, timeout: .seconds(3), connectTimeout: .seconds(1)))
                if response.status == 404 { continue }
                answered = true
                let body = String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                status.apiHealthy = response.status == 200 && body == "ok"
                status.apiHealth = "GET \(path): \(response.status) \(body.prefix(80))"
            }
            if !status.apiHealthy { status.problems.append("the API server at \(config.apiServer.localURL) is not ready (\(status.apiHealth ?? "no health endpoint"))") }
            let client = KubernetesAPIClient(transport: transport, baseURL: config.apiServer.localURL, timeout: .seconds(3))
            let lock = try LockDiscovery.chooseLock(client: client, namespace: config.election.namespace, name: config.election.lockName, logger: context.logger)
            status.lockKind = lock is LeaseLock ? "Lease" : "Endpoints"
            let holder = try lock.get()?.record.holderIdentity
            status.lockHolder = (holder?.isEmpty ?? true) ? "none (released)" : holder
        } catch {
            status.problems.append("could not ask the API server at \(config.apiServer.localURL): \(error)")
        }
        if let pki = context.pki, let wallClock = context.wallClock {
            do {
                let report = try CertificateChecker(files: context.files, pki: pki, config: config, now: wallClock.wallNow()).check()
                status.certificateDaysLeft = report.daysLeft
                status.certificateProblems = report.findings.map(\.message)
                status.problems += report.findings.filter { $0.severity == .error }.map(\.message)
            } catch {
                status.problems.append("could not check certificates: \(error)")
            }
        }
        return status
    }
}
