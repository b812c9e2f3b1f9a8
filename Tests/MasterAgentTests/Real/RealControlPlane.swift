import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime

/// A real etcd and kube-apiserver on 127.0.0.1, started and stopped by `scripts/real-control-plane`
/// (Tests/Support/real_control_plane.md). Tests that need one skip, with the script's reason, where it
/// cannot run (not root, no binaries cached and none can be built here); `scripts/test` fails such
/// skips in CI.
final class RealControlPlane {
    /// The script that builds, starts and stops the real control plane.
    static let script = TestSupport.repoRoot.appendingPathComponent("scripts/real-control-plane")

    /// The directory of this instance (PKI, logs, PIDs, `env`).
    let directory: URL
    /// `DIR/env` as a dictionary (`REAL_CP_*` keys).
    let env: [String: String]

    /// `https://127.0.0.1:PORT` of the kube-apiserver.
    var apiURL: String { env["REAL_CP_API_URL"]! }
    /// The CA that signed the server and the clients.
    var caFile: String { env["REAL_CP_CA_CRT"]! }

    /// Throws `XCTSkip` with the script's reason when the real tier cannot run on this machine.
    static func skipUnlessAvailable() throws {
        guard geteuid() == 0 else {
            throw XCTSkip(
                "the real control plane tier needs root (it builds into /var/cache and runs etcd); run scripts/test as root"
            )
        }
        let result = try TestSupport.run(script, ["available"], timeout: 30)
        if result.status != 0 {
            let reason = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw XCTSkip(
                "no real control plane here: \(reason.isEmpty ? "exit \(result.status)" : reason); run scripts/setup")
        }
    }

    /// Starts etcd and kube-apiserver in `directory` (default: a fresh one) and returns once `/readyz`
    /// answers ok. `apiPort` fixes the API server's port, so a client can start before the server exists;
    /// the PKI lands in `directory/pki` (`ca.crt`, `admin.crt`, ...).
    init(_ test: XCTestCase.Type, name: String, apiPort: Int? = nil, directory: URL? = nil) throws {
        let base = TestSupport.repoRoot.appendingPathComponent(".build/test-tmp")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        self.directory = directory ?? base.appendingPathComponent("real-cp-\(name)-\(UUID().uuidString.prefix(8))")
        var environment = ProcessInfo.processInfo.environment
        // A crashed test run must not leave servers behind: the script stops them once we are gone.
        environment["MASTER_AGENT_REAL_CP_WATCH_PID"] = "\(getpid())"
        if let apiPort { environment["MASTER_AGENT_REAL_CP_API_PORT"] = "\(apiPort)" }
        let result = try TestSupport.run(
            Self.script, ["start", self.directory.path], environment: environment, timeout: 150)
        guard result.status == 0 else {
            throw NSError(
                domain: "RealControlPlane", code: Int(result.status),
                userInfo: [
                    NSLocalizedDescriptionKey:
                        "scripts/real-control-plane start failed (\(result.status)): \(result.stdout)\(result.stderr)"
                ])
        }
        env = try Self.readEnv(self.directory.appendingPathComponent("env"))
    }

    /// Stops exactly the processes this instance started (by their recorded PIDs) and removes its directory.
    func stop() {
        _ = try? TestSupport.run(Self.script, ["stop", directory.path], timeout: 60)
        try? FileManager.default.removeItem(at: directory)
    }

    /// TLS settings for a client authenticating with the certificate and key under `REAL_CP_<who>_CRT/_KEY`
    /// (`ADMIN`, `NODE`, `NOBODY`, `FOREIGN`), trusting `caFile` (or the given CA).
    func tls(_ who: String, trusting ca: String? = nil) -> HTTPTLSConfig {
        HTTPTLSConfig(
            caFile: ca ?? caFile, clientCertFile: env["REAL_CP_\(who)_CRT"], clientKeyFile: env["REAL_CP_\(who)_KEY"])
    }

    /// A Kubernetes client for `who` over real libcurl.
    func client(_ who: String = "ADMIN") throws -> KubernetesAPIClient {
        KubernetesAPIClient(transport: try HTTPClient(tls: tls(who), userAgent: "real-tier-tests"), baseURL: apiURL)
    }

    /// A cluster config for an agent run with `--root root` whose local API server is this one, authenticating
    /// as `who`. The agent reads every configured file under its root, so the CA and the client certificate
    /// are copied to `root/etc/real-cp/`. The seed config's 192.168 addresses are only rendered, never contacted.
    func writeAgentConfig(root: URL, as who: String = "ADMIN") throws -> String {
        let pki = root.appendingPathComponent("etc/real-cp")
        try FileManager.default.createDirectory(at: pki, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("run"), withIntermediateDirectories: true)
        var paths: [String: String] = [:]
        for (field, source) in [
            ("caFile", caFile), ("certFile", env["REAL_CP_\(who)_CRT"]!), ("keyFile", env["REAL_CP_\(who)_KEY"]!),
        ] {
            let target = pki.appendingPathComponent(URL(fileURLWithPath: source).lastPathComponent)
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.copyItem(atPath: source, toPath: target.path)
            paths[field] = "/etc/real-cp/\(target.lastPathComponent)"
        }
        var text = try TestSupport.fixtureText("seed-cluster.yaml")
        let local =
            "  localURL: http://127.0.0.1:8080    # how the kubelet, the other components and the agent reach it\n"
        XCTAssertTrue(text.contains(local), "seed fixture changed shape")
        text = text.replacingOccurrences(
            of: local,
            with: """
                  localURL: \(apiURL)
                  caFile: \(paths["caFile"]!)
                  certFile: \(paths["certFile"]!)
                  keyFile: \(paths["keyFile"]!)

                """)
        let path = root.appendingPathComponent("cluster.yaml")
        try text.write(to: path, atomically: true, encoding: .utf8)
        return path.path
    }

    private static func readEnv(_ url: URL) throws -> [String: String] {
        var values: [String: String] = [:]
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return values
    }
}
