import AgentCore
import AgentPlatform
import AgentRuntime
import ArgumentParser
import Foundation
import Glibc

/// The `master-agent` command: brings up and checks a Kubernetes control-plane node.
@main
struct MasterAgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "master-agent",
        abstract: "Bring up a highly available Kubernetes control-plane node, safely and repeatably.",
        discussion: """
            Exit status: 0 success, 1 runtime failure, 3 certificate must be signed on the CA host, \
            4 wait-api deadline reached, 64 usage error, 65 invalid configuration, \
            69 a requested step is not implemented yet, 75 lock held by another run.
            """,
        version: MasterAgentVersion.current,
        subcommands: [
            RenderCommand.self, BootstrapCommand.self, WaitAPICommand.self, StatusCommand.self, ResetCommand.self,
            CertsCommand.self, ConfigCommand.self, TokenCommand.self, SecretsCommand.self, SuperviseCommand.self,
        ]
    )

    /// Runs the command and maps our errors to the documented exit statuses.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as CommandFailure {
            // A closed stderr must not turn a failure into a crash: the write's error is dropped.
            if !failure.message.isEmpty {
                var text = "master-agent: \(failure.message)"
                // In the journal every line of the failure is filed at error priority (sd-daemon(3) prefix).
                if JournalLogHandler.stderrIsJournal {
                    text = text.split(separator: "\n", omittingEmptySubsequences: false).map { "<3>\($0)" }
                        .joined(separator: "\n")
                }
                try? FileHandle.standardError.write(contentsOf: Data("\(text)\n".utf8))
            }
            Glibc.exit(failure.status.rawValue)
        } catch {
            exit(withError: error)
        }
    }
}

/// The agent's version, shown by `--version` and in the User-Agent.
enum MasterAgentVersion {
    static let current = "0.1.0"
}

/// Ends a command with a documented exit status; `message` (if any) goes to stderr.
struct CommandFailure: ExitStatusProviding, CustomStringConvertible {
    let status: ExitStatus
    let message: String

    /// The status when a bootstrap step fails with it.
    var exitStatus: ExitStatus { status }
    var description: String { message }
}
