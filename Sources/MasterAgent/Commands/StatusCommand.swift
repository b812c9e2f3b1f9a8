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
        abstract:
            "Show managed files (in sync / drifted / missing), the kubelet unit, API health, the lock holder and certificate expiry.",
        discussion: "Exit status 0 when the node is healthy, 1 when anything is wrong."
    )

    @OptionGroup var options: NodeOptions

    func run() throws {
        let logger = try options.makeLogger()
        let (config, node, _) = try options.loadConfigAndNode()
        let context = Wiring.context(
            config: config, node: node, root: options.root, dryRun: true, logger: logger, connectSystemd: true)
        let status = NodeStatus.gather(context, loopback: Wiring.loopbackHealthTransport)
        let printer = OutputPrinter(format: options.output)
        for file in status.files { printer.line("file", file.state.rawValue, file.path) }
        printer.line(
            "unit", status.unitEnabled.map { "\($0), \(status.unitActive ?? "-")" } ?? "unknown",
            config.kubelet.unitPath)
        printer.line("api", status.apiHealthy ? "ready" : "not ready", status.apiHealth ?? config.apiServer.localURL)
        printer.line(
            "lock", status.lockHolder ?? "unknown",
            status.lockKind.map { "\($0) \(config.election.namespace)/\(config.election.lockName)" } ?? "")
        printer.line(
            "certificate", status.certificateDaysLeft.map { "\($0) days left" } ?? "unknown",
            PKIPaths(config).certificate)
        for drift in status.certificateNameDrift ?? [] {
            printer.line(
                "certificate", "names differ",
                "\(drift.file) differs from the config: \(drift.summary); master-agent bootstrap or certs renew --due reissues it"
            )
        }
        for component in status.components ?? [] {
            printer.line(
                "component", component.healthy ? "healthy" : "not healthy",
                "\(component.component) \(component.healthy ? component.urls.joined(separator: " ") : component.lastFailure ?? "")"
            )
        }
        for problem in status.problems { printer.text("problem: \(problem)") }
        printer.text(status.healthy ? "\(node.name): healthy" : "\(node.name): \(status.problems.count) problem(s)")
        printer.json(status)
        if !status.healthy { throw CommandFailure(status: .failure, message: "") }
    }
}
