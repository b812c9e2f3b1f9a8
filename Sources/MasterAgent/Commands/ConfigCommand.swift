import AgentCore
import AgentPlatform
import AgentRuntime
import ArgumentParser
import FoundationEssentials

/// `master-agent config`: check or start a cluster config.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Validate a cluster config or print an example.",
        subcommands: [Validate.self, PrintExample.self]
    )

    /// `master-agent config validate`: says "valid" or lists every problem.
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a config file; list every problem with its field and line.")

        @OptionGroup var options: NodeOptions

        struct Result: Encodable {
            let file: String
            let valid: Bool
            let node: String?
            let problems: [String]
        }

        func run() throws {
            _ = try options.makeLogger()
            let printer = OutputPrinter(format: options.output)
            do {
                let path = options.configPath
                let text = try options.readConfigText()
                let config = try ConfigLoader.load(yaml: text, file: path)
                var nodeName: String?
                if options.node != nil {
                    nodeName = try NodeIdentifier.identify(
                        masters: config.masters, explicitName: options.node, hostname: nil, localAddresses: []
                    ).name
                }
                printer.text("\(path): valid\(nodeName.map { " (node \($0))" } ?? "")")
                printer.json(Result(file: path, valid: true, node: nodeName, problems: []))
            } catch let error as ConfigError {
                printer.json(
                    Result(file: error.file, valid: false, node: nil, problems: error.problems.map(\.description)))
                throw CommandFailure(status: .invalidConfig, message: options.output == .json ? "" : error.description)
            } catch let error as NodeIdentifier.IdentifyError {
                throw CommandFailure(status: .invalidConfig, message: error.description)
            }
        }
    }

    /// `master-agent config print-example`.
    struct PrintExample: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "print-example",
            abstract: "Print an example cluster config (the reference document's cluster, or its modern counterpart).")

        @Option(name: .long, help: "Which profile's example: legacy-hyperkube (default) or modern.")
        var profile: String = RenderProfileName.legacyHyperkube.rawValue

        func run() throws {
            guard let name = RenderProfileName(rawValue: profile) else {
                let known = RenderProfileName.allCases.map(\.rawValue).joined(separator: ", ")
                throw CommandFailure(status: .usage, message: "unknown profile \"\(profile)\" (known: \(known))")
            }
            let text = ExampleConfig.yaml(for: name)
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
        }
    }
}
