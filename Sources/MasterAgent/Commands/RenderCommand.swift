import AgentCore
import AgentPlatform
import AgentRuntime
import ArgumentParser
import FoundationEssentials

/// `master-agent render`: validate the config, render the kubelet unit and manifests, write what differs.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Write the kubelet unit and the static-pod manifests for this master (no systemd, no API)."
    )

    @OptionGroup var options: NodeOptions

    @Flag(name: .long, help: "Print a unified diff of what would change and write nothing.")
    var dryRun = false

    @Option(name: .long, help: "Seconds to wait for another run's lock.")
    var lockTimeout: Double = 120

    /// The JSON document of a render.
    struct Result: Encodable {
        let node: String
        let root: String
        let dryRun: Bool
        let files: [FileReport]
    }

    func run() throws {
        let logger = try options.makeLogger()
        let (config, node, _) = try options.loadConfigAndNode()
        let lock = dryRun ? nil : try NodeLock.acquire(root: options.root, timeout: lockTimeout, logger: logger)
        defer { lock?.release() }
        let context = Wiring.context(config: config, node: node, root: options.root, dryRun: dryRun, logger: logger)
        try ProfileGate.check(config: config, files: context.files)
        let printer = OutputPrinter(format: options.output)
        var files: [FileReport] = []
        do {
            files += try KubeletUnitFileStep().run(context).files
            files += try ManifestsStep().run(context).files
        } catch {
            throw CommandFailure(status: .failure, message: "\(error)")
        }
        printer.files(files, indent: "")
        let counts = Dictionary(grouping: files, by: \.action).map { "\($0.value.count) \($0.key.rawValue)" }.sorted()
            .joined(separator: ", ")
        printer.text(
            "\(dryRun ? "dry run, nothing written: " : "")\(node.name): \(counts)\(options.root == "/" ? "" : " under \(options.root)")"
        )
        printer.json(Result(node: node.name, root: options.root, dryRun: dryRun, files: files))
    }
}
