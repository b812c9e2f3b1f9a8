import Foundation

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// The tests' network rule as code: before a test starts the agent, every host the agent could
/// contact for those arguments must be on the loopback (127.0.0.0/8), or the test stops before a
/// packet leaves. `TestSupport.run` applies it to every run of the agent binary; tests that spawn
/// the agent themselves call `check` first. Commands that contact nothing pass unchecked, so a
/// config with the reference document's 192.168 addresses can still be rendered and validated.
enum AgentNetworkGuard {
    struct OffLoopback: Error, CustomStringConvertible {
        let description: String
    }

    /// Throws `OffLoopback` naming the command and the host when `arguments` (the agent's, without
    /// the binary) would make the agent contact a host outside 127.0.0.0/8.
    static func check(_ arguments: [String]) throws {
        let hosts = try contactedHosts(arguments)
        if let (field, host) = hosts.first(where: { !isLoopback($0.host) }) {
            throw OffLoopback(
                description: "test safety: `master-agent \(arguments.joined(separator: " "))` would contact "
                    + "\(host) (\(field)); tests may only reach 127.0.0.0/8. Move that address to 127.0.0.x or skip the step."
            )
        }
    }

    /// Every (config field, host) the command may contact; empty for commands without network.
    static func contactedHosts(_ arguments: [String]) throws -> [(field: String, host: String)] {
        guard let command = arguments.first, !arguments.contains("--help"), !arguments.contains("-h") else { return [] }
        if command == "wait-api", let url = value("--url", in: arguments) {
            return [("--url", host(of: url))]
        }
        let network: (etcd: Bool, api: Bool, peers: Bool)
        // The cluster-secrets step and `secrets status` reach etcd only under `secrets.store: etcd`.
        var secretsStore = false
        switch command {
        case "bootstrap":
            let listed = values("--steps", in: arguments).flatMap { $0.split(separator: ",").map(String.init) }
            // An unusable selection makes the agent stop with a usage error before any step runs.
            guard
                let steps = try? BootstrapStep.selection(
                    steps: listed.isEmpty ? nil : listed,
                    until: value("--until", in: arguments))
            else { return [] }
            // The certs step's names reissue on a running system (`/`, or --coordinate) takes the Lease through the
            // local API server.
            let live = arguments.contains("--coordinate") || (value("--root", in: arguments) ?? "/") == "/"
            network = (
                steps.contains(.preflight),
                steps.contains { [.waitAPI, .waitControlPlane, .election, .namespace, .clusterTasks].contains($0) }
                    || (steps.contains(.certs) && live),
                false
            )
            secretsStore = steps.contains(.clusterSecrets)
        case "wait-api", "status", "supervise":
            network = (false, true, false)
        case "secrets":
            network = (false, false, false)
            secretsStore = true
        case "certs":
            let subcommand = arguments.count > 1 ? arguments[1] : ""
            // renew --due on a running system (`/`, or --coordinate) may ask the local API server (modern's Lease).
            let live = arguments.contains("--coordinate") || (value("--root", in: arguments) ?? "/") == "/"
            network = (
                false, subcommand == "renew" && arguments.contains("--due") && live,
                subcommand == "check" && arguments.contains("--peers")
            )
        default:
            return []
        }
        guard network.etcd || network.api || network.peers || secretsStore, let config = try loadConfig(arguments)
        else { return [] }
        var hosts: [(String, String)] = []
        if network.etcd || (secretsStore && config.secrets.store == .etcd) {
            hosts += config.etcd.endpoints.map { ("etcd.endpoints", host(of: $0)) }
        }
        if network.api { hosts.append(("apiServer.localURL", host(of: config.apiServer.localURL))) }
        if network.peers { hosts += config.masters.map { ("masters[\($0.name)].address", $0.address.description) } }
        return hosts
    }

    /// The config the agent would read, or nil when there is none or it does not validate (the
    /// agent then stops at `validate`, before any network step).
    private static func loadConfig(_ arguments: [String]) throws -> ClusterConfig? {
        let root = value("--root", in: arguments) ?? "/"
        let path =
            value("--config", in: arguments)
            ?? (root as NSString).appendingPathComponent("etc/master-agent/cluster.yaml")
        if root == "/" && value("--config", in: arguments) == nil {
            throw OffLoopback(
                description: "test safety: `master-agent \(arguments.joined(separator: " "))` would read this "
                    + "machine's /etc/master-agent/cluster.yaml; pass --config or --root")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return try? ConfigLoader.load(yaml: text, file: path)
    }

    private static func value(_ option: String, in arguments: [String]) -> String? {
        values(option, in: arguments).last
    }

    // Both spellings: "--root DIR" and "--root=DIR".
    private static func values(_ option: String, in arguments: [String]) -> [String] {
        var found: [String] = []
        for (index, argument) in arguments.enumerated() {
            if argument == option, index + 1 < arguments.count { found.append(arguments[index + 1]) }
            if argument.hasPrefix(option + "=") { found.append(String(argument.dropFirst(option.count + 1))) }
        }
        return found
    }

    private static func host(of url: String) -> String {
        URLComponents(string: url)?.host ?? url
    }

    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" { return true }
        guard let address = IPv4Address(host) else { return false }
        return address.value >> 24 == 127
    }
}
