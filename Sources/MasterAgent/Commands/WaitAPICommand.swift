import AgentCore
import AgentPlatform
import AgentRuntime
import ArgumentParser
import FoundationEssentials
import Glibc

/// `master-agent wait-api`: waits until the local (or given) API server answers `ok`.
struct WaitAPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait-api",
        abstract: "Wait until the API server answers ok on /readyz (/healthz on v1.2).",
        discussion:
            "Exit status: 0 ready, 4 deadline reached (the message names the last failure), 1 any other failure (TLS, credentials)."
    )

    @OptionGroup var options: NodeOptions

    @Option(
        name: .long,
        help: "API server base URL. Default: the config's apiServer.localURL (the config is then not read).")
    var url: String?

    @Option(
        name: .long, help: "Overall deadline, e.g. 30s or 5m. Default: apiServer.waitTimeout from the config, else 5m.")
    var timeout: String?

    @OptionGroup var credentials: APICredentialOptions

    @Flag(name: .long, help: "Do not verify the server's certificate (logs a warning).")
    var insecureSkipTLSVerify = false

    /// The JSON document of a wait.
    struct Output: Encodable {
        let url: String
        let ready: Bool
        let exitStatus: Int32
        let healthPath: String
        let stages: Stages
        let secondsTotal: Double
        let httpRequests: Int
        let tcpProbes: Int
        let lastFailure: String?
        let error: String?

        /// Seconds spent in each stage.
        struct Stages: Encodable {
            let refused: Double
            let starting: Double
        }
    }

    func run() throws {
        let logger = try options.makeLogger()
        try credentials.check()
        var explicitTimeout: Double?
        if let timeout {
            guard let parsed = ConfigDuration(timeout), parsed.seconds > 0 else {
                throw CommandFailure(
                    status: .usage, message: "--timeout \(timeout) is not a duration; write e.g. 30s, 5m, 1m30s")
            }
            explicitTimeout = parsed.seconds
        }

        let baseURL: String
        var tls: HTTPTLSConfig
        var timeoutSeconds = explicitTimeout ?? 300
        var nodeName = options.node ?? HostIdentity.hostname() ?? "unknown"
        if let url {
            baseURL = url
            tls = credentials.tlsWithoutConfig
        } else {
            let (config, node, _) = try options.loadConfigAndNode()
            baseURL = config.apiServer.localURL
            tls = try credentials.tls(config: config, root: options.root)
            timeoutSeconds = explicitTimeout ?? config.apiServer.waitTimeout.seconds
            nodeName = node.name
        }
        if insecureSkipTLSVerify {
            tls.insecureSkipTLSVerify = true
            logger.warning(
                "TLS verification is off (--insecure-skip-tls-verify): any server can pose as the API server",
                metadata: ["url": "\(baseURL)"])
        }

        let transport: HTTPClient
        do {
            transport = try HTTPClient(
                tls: tls, userAgent: HTTPClient.userAgent(version: MasterAgentVersion.current, nodeName: nodeName))
        } catch {
            throw CommandFailure(status: .failure, message: "\(error)")
        }
        let printer = OutputPrinter(format: options.output)
        let progress = WaitProgressPrinter(enabled: options.output == .text, live: isatty(STDOUT_FILENO) == 1)
        let waiter = APIWaiter(
            transport: transport, probe: SystemTCPProbe(), clock: SystemClock(), random: SystemRandom())
        do {
            let result = try waiter.wait(for: baseURL, timeout: timeoutSeconds, progress: progress.show)
            progress.finish()
            printer.text(APIWaitSummary.line(result))
            printer.json(Self.output(result, status: .success, error: nil))
        } catch let error as APIWaitError {
            progress.finish()
            printer.json(Self.output(error.result, status: error.exitStatus, error: error.description))
            throw CommandFailure(status: error.exitStatus, message: error.description)
        }
    }

    private static func output(_ result: APIWaitResult, status: ExitStatus, error: String?) -> Output {
        Output(
            url: result.url, ready: status == .success, exitStatus: status.rawValue, healthPath: result.healthPath,
            stages: .init(refused: rounded(result.secondsRefused), starting: rounded(result.secondsUnready)),
            secondsTotal: rounded(result.secondsTotal), httpRequests: result.httpRequests,
            tcpProbes: result.tcpProbes, lastFailure: result.lastFailure, error: error)
    }

    private static func rounded(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }
}
