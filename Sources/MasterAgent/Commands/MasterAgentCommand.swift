import ArgumentParser

@main
struct MasterAgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "master-agent")
    func run() throws { print("master-agent skeleton") }
}
