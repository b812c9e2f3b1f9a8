import AgentCore
import AgentPlatform
import AgentRuntime
import ArgumentParser
import FoundationEssentials

/// `master-agent secrets`: the cluster's shared secrets in etcd.
struct SecretsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secrets",
        abstract: "Inspect the cluster's shared secrets in etcd (secrets.store: etcd).",
        subcommands: [Status.self]
    )

    /// `master-agent secrets status`: the record and this master's files.
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Where the secrets record is, who made it and when, CA and SA key fingerprints, and whether "
                + "this master's files match it.",
            discussion: "Exit status 0 when the record exists and every shared file matches it (or secrets.store is "
                + "none), 1 otherwise.")

        @OptionGroup var options: NodeOptions

        func run() throws {
            let logger = try options.makeLogger()
            let (config, node, _) = try options.loadConfigAndNode()
            let context = Wiring.context(
                config: config, node: node, root: options.root, dryRun: true, logger: logger)
            let status = SecretsStatus.gather(context)
            let printer = OutputPrinter(format: options.output)
            printer.line("store", status.store, status.store == "etcd" ? status.key : "shared files are copied by hand")
            if status.store == "etcd" {
                printer.line("etcd", "", status.endpoints.joined(separator: ", "))
                printer.line(
                    "record", status.recordPresent ? "present" : "absent",
                    status.createdBy.map {
                        "created by \($0) at \(status.createdAt ?? "?"), "
                            + "create revision \(status.createRevision ?? 0), version \(status.version ?? 0)"
                    } ?? "")
                printer.line("ca", "", status.caFingerprint.map { "sha256 \($0)" } ?? "unknown")
                printer.line("sa key", "", status.serviceAccountKeyFingerprint.map { "sha256 \($0)" } ?? "unknown")
                for file in status.files { printer.line("file", file.state.rawValue, file.path) }
            }
            for problem in status.problems { printer.text("problem: \(problem)") }
            printer.json(status)
            if !status.healthy { throw CommandFailure(status: .failure, message: "") }
        }
    }
}
