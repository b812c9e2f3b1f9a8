import AgentCore
import AgentPlatform
import AgentRuntime
import ArgumentParser
import FoundationEssentials
import Glibc

/// `master-agent status`: is this node healthy, and if not, why.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show managed files (in sync / drifted / missing), the kubelet unit, API health, the lock holder and certificate expiry.",
        discussion: "Exit status 0 when the node is healthy, 1 when anything is wrong."
    )

    @OptionGroup var options: NodeOptions

    func run() throws {
        let logger = try options.makeLogger()
        let (config, node, _) = try options.loadConfigAndNode()
        let context = Wiring.context(config: config, node: node, root: options.root, dryRun: true, logger: logger, connectSystemd: true)
        let status = NodeStatus.gather(context)
        let printer = OutputPrinter(format: options.output)
        for file in status.files { printer.line("file", file.state.rawValue, file.path) }
        printer.line("unit", status.unitEnabled.map { "\($0), \(status.unitActive ?? "-")" } ?? "unknown", config.kubelet.unitPath)
        printer.line("api", status.apiHealthy ? "ready" : "not ready", status.apiHealth ?? config.apiServer.localURL)
        printer.line("lock", status.lockHolder ?? "unknown", status.lockKind.map { "\($0) \(config.election.namespace)/\(config.election.lockName)" } ?? "")
        printer.line("certificate", status.certificateDaysLeft.map { "\($0) days left" } ?? "unknown", PKIPaths(config).certificate)
        for problem in status.problems { printer.text("problem: \(problem)") }
        printer.text(status.healthy ? "\(node.name): healthy" : "\(node.name): \(status.problems.count) problem(s)")
        printer.json(status)
        if !status.healthy { throw CommandFailure(status: .failure, message: "") }
    }
}

/// `master-agent reset`: take the control plane off this node.
struct ResetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Stop and disable the kubelet and remove the unit and manifests the agent wrote (TLS material kept unless --purge-pki)."
    )

    @OptionGroup var options: NodeOptions

    @Flag(name: .long, help: "Do not ask for confirmation.") var yes = false
    @Flag(name: .long, help: "Also remove apiserver.key, apiserver.crt, apiserver.csr and ca.crt.") var purgePKI = false

    func run() throws {
        let logger = try options.makeLogger()
        let (config, node, _) = try options.loadConfigAndNode()
        let files = try ManifestRenderer.all(config: config, node: node).map(\.path)
        let pki = PKIPaths(config)
        let pkiFiles = purgePKI ? [pki.key, pki.certificate, pki.csr, pki.ca] : []
        if !yes {
            print("This stops and disables the kubelet on \(node.name) and removes:\n" + (files + pkiFiles).map { "  \($0)" }.joined(separator: "\n"))
            print("Type yes to continue: ", terminator: "")
            fflush(stdout)
            guard readLine()?.trimmingBlanks == "yes" else {
                throw CommandFailure(status: .failure, message: "reset cancelled; nothing was changed")
            }
        }
        let lock = try NodeLock.acquire(root: options.root, timeout: 120, logger: logger)
        defer { lock.release() }
        let context = Wiring.context(config: config, node: node, root: options.root, dryRun: false, logger: logger, connectSystemd: true)
        let unitName = config.kubelet.unitPath.lastPathComponent
        let printer = OutputPrinter(format: options.output)
        // What could not be undone; the files are removed anyway (without manifests a running kubelet
        // stops the control-plane pods), but reset then says it is incomplete and exits 1.
        var problems: [String] = []
        if let units = context.units {
            do {
                // A stop job on an inactive unit is "done" too; only a unit that ran was "stopped".
                let wasRunning = (try? units.status(unitName)).map { !["inactive", "failed"].contains($0.activeState) } ?? true
                let result = try units.run(.stop, unitName, timeout: context.unitJobTimeout)
                if result == "done" { if wasRunning { printer.line("stopped", unitName) } } else { problems.append("stopping \(unitName) ended with job result \"\(result)\"") }
            } catch let error as SystemdError where error.code == .noSuchUnit {
                // Not loaded (an earlier reset, or never installed): nothing runs that could be stopped.
            } catch {
                problems.append("could not stop \(unitName): \(error)")
            }
            if let disabler = units as? UnitDisabler {
                do {
                    for change in try disabler.disable(unitName) { printer.line("removed", change.file) }
                } catch let error as SystemdError where error.code == .noSuchUnit {
                    // No unit file left to disable.
                } catch {
                    problems.append("could not disable \(unitName): \(error)")
                }
            }
        } else if options.root != "/" {
            // Exactly the links the offline kubelet-unit step made from the unit's [Install] section.
            let unit = config.kubernetes.profile.profile.kubeletUnit(config: config, node: node)
            for link in UnitDecisions.installSymlinks(unitPath: config.kubelet.unitPath, wantedBy: unit.wantedBy)
            where try context.files.removeFile(link.link) {
                printer.line("removed", link.link)
            }
        } else {
            throw CommandFailure(status: .failure, message: "could not stop \(unitName): \(context.unitsUnavailableReason). Nothing was removed.")
        }
        var reports: [FileReport] = []
        for path in files + pkiFiles where try context.files.attributes(path) != nil {
            try context.files.removeFile(path)
            reports.append(FileReport(path: path, action: .removed))
        }
        if let units = context.units { try? units.reload() }
        printer.files(reports, indent: "")
        guard problems.isEmpty else {
            printer.json(reports)
            throw CommandFailure(status: .failure, message: "\(node.name): reset incomplete: \(problems.joined(separator: "; ")). "
                + "The unit and manifests were removed; stop and disable the kubelet yourself (systemctl disable --now \(unitName)), then run reset again.")
        }
        printer.text("\(node.name): reset done\(purgePKI ? "" : "; TLS material in \(config.pki.dir) kept")")
        printer.json(reports)
    }
}
