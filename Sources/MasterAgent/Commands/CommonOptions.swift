import AgentCore
import AgentPlatform
import AgentRuntime
import ArgumentParser
import FoundationEssentials
import Logging

/// How results are printed.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// Options every node command shares: which config, which master, which root, how to print.
struct NodeOptions: ParsableArguments {
    @Option(name: .long, help: "Cluster config file. Default: <root>/etc/master-agent/cluster.yaml.")
    var config: String?

    @Option(name: .long, help: "This master's name in masters[]. Default: matched by hostname, then by local address.")
    var node: String?

    @Option(name: .long, help: "Prefix for every path the agent reads or writes (tests, image builds).")
    var root: String = "/"

    @Option(name: .long, help: "Output for people (text) or scripts (json).")
    var output: OutputFormat = .text

    @Option(name: .long, help: "Diagnostics on stderr: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "notice"

    /// The config path on the host: `--config` as given, else the default path under `--root`.
    var configPath: String {
        if let config { return config }
        return RootedFileSystem(root: root).hostPath(ClusterConfig.defaultPath)
    }

    /// Sets up swift-log on stderr at `--log-level` and returns the agent's logger.
    func makeLogger() throws -> Logger {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw CommandFailure(
                status: .usage,
                message: "unknown --log-level \(logLevel); use trace, debug, info, notice, warning, error or critical")
        }
        LoggingSetup.bootstrapOnce()
        var logger = Logger(label: "master-agent")
        logger.logLevel = level
        return logger
    }

    /// The config file's text; throws `CommandFailure` (invalid config) when it is missing, unreadable,
    /// over 1 MiB or not UTF-8.
    func readConfigText() throws -> String {
        let path = configPath
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason =
                FileManager.default.fileExists(atPath: path) ? "it is not readable (run as root?)" : "it does not exist"
            throw CommandFailure(
                status: .invalidConfig,
                message:
                    "could not read config \(path): \(reason). Pass --config PATH or write it (see `master-agent config print-example`)."
            )
        }
        guard data.count <= 1 << 20 else {
            throw CommandFailure(
                status: .invalidConfig,
                message:
                    "could not read config \(path): it is \(data.count) bytes, larger than the 1 MiB a cluster config can need. Check that --config names the right file."
            )
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CommandFailure(
                status: .invalidConfig, message: "could not read config \(path): it is not UTF-8 text.")
        }
        return text
    }

    /// Reads and validates the config, then identifies this master.
    /// Throws `CommandFailure` with the invalid-config status and every problem listed.
    func loadConfigAndNode() throws -> (ClusterConfig, ClusterConfig.Master, String) {
        let path = configPath
        let text = try readConfigText()
        let config: ClusterConfig
        do {
            config = try ConfigLoader.load(yaml: text, file: path)
        } catch let error as ConfigError {
            throw CommandFailure(status: .invalidConfig, message: error.description)
        }
        do {
            let master = try NodeIdentifier.identify(
                masters: config.masters, explicitName: node,
                hostname: HostIdentity.hostname(), localAddresses: HostIdentity.ipv4Addresses())
            let how = node != nil ? "--node" : "hostname or local address"
            return (config, master, how)
        } catch let error as NodeIdentifier.IdentifyError {
            throw CommandFailure(status: .invalidConfig, message: error.description)
        }
    }
}

/// Installs the stderr log handler once per process: journald's priority prefixes when stderr is the journal.
enum LoggingSetup {
    private static let once: Void = {
        let journal = JournalLogHandler.stderrIsJournal
        LoggingSystem.bootstrap { label in
            if journal { return JournalLogHandler(label: label) }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .trace
            return handler
        }
    }()

    static func bootstrapOnce() { _ = once }
}
