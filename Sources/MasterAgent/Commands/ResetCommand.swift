import AgentCore
import AgentPlatform
import AgentRuntime
import ArgumentParser
import Foundation
import Glibc

/// `master-agent reset`: take the control plane off this node (the work is `NodeReset`'s).
struct ResetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract:
            "Stop and disable the kubelet and remove the unit and manifests the agent wrote (TLS material kept unless --purge-pki)."
    )

    @OptionGroup var options: NodeOptions

    @Flag(name: .long, help: "Do not ask for confirmation.") var yes = false
    @Flag(name: .long, help: "Also remove apiserver.key, apiserver.crt, apiserver.csr and ca.crt.") var purgePKI = false

    func run() throws {
        let logger = try options.makeLogger()
        let (config, node, _) = try options.loadConfigAndNode()
        let reset = NodeReset(purgePKI: purgePKI)
        let paths = try reset.paths(config: config, node: node)
        if !yes { try confirm(node: node, paths: paths) }
        let lock = try NodeLock.acquire(root: options.root, timeout: 120, logger: logger)
        defer { lock.release() }
        let context = Wiring.context(
            config: config, node: node, root: options.root, dryRun: false, logger: logger,
            connectSystemd: true)
        let printer = OutputPrinter(format: options.output)
        let outcome: NodeResetOutcome
        do {
            outcome = try reset.run(context) { event in
                switch event {
                case .stopped(let unit): printer.line("stopped", unit)
                case .removed(let link): printer.line("removed", link)
                }
            }
        } catch let error as NodeResetError {
            throw CommandFailure(status: .failure, message: error.description)
        }
        printer.files(outcome.files, indent: "")
        if let message = outcome.incompleteMessage {
            printer.json(outcome.files)
            throw CommandFailure(status: .failure, message: message)
        }
        printer.text("\(node.name): reset done\(purgePKI ? "" : "; TLS material in \(config.pki.dir) kept")")
        printer.json(outcome.files)
    }

    /// Lists what reset removes and asks for "yes"; throws `CommandFailure` for any other answer.
    private func confirm(node: ClusterConfig.Master, paths: [String]) throws {
        print(
            "This stops and disables the kubelet on \(node.name) and removes:\n"
                + paths.map { "  \($0)" }.joined(separator: "\n"))
        print("Type yes to continue: ", terminator: "")
        fflush(stdout)
        guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else {
            throw CommandFailure(status: .failure, message: "reset cancelled; nothing was changed")
        }
    }
}
