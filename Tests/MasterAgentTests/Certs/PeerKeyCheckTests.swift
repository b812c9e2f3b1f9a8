import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// `certs check --peers` against real TLS servers (`openssl s_server`) on 127.0.0.x.
final class PeerKeyCheckTests: XCTestCase {
    private var servers: [Process] = []

    override func tearDown() {
        for server in servers where server.isRunning {
            kill(server.processIdentifier, SIGTERM)
            server.waitUntilExit()
        }
        servers = []
    }

    private func freePort() -> Int { Int.random(in: 20000...40000) }

    private func serve(cert: String, key: String, host: String, port: Int) throws {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        server.arguments = ["s_server", "-accept", "\(host):\(port)", "-cert", cert, "-key", key, "-quiet"]
        server.standardInput = Pipe()
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        servers.append(server)
        waitUntil(timeout: 10, interval: 0.02, "openssl s_server accepting on \(host):\(port)") {
            !server.isRunning
                || SystemTCPProbe().canConnect(host: host, port: port, timeout: .milliseconds(100)) == .connected
        }
        XCTAssertTrue(
            server.isRunning, "openssl s_server on \(host):\(port) exited with status \(server.terminationStatus)")
    }

    func testPeerServingOurKeyPassesAndAnotherKeyIsNamed() throws {
        let root = try TestSupport.makeTemporaryDirectory(self, name: "peers")
        let port = freePort()
        let config = try TestSupport.fixtureText("seed-cluster.yaml")
            .replacingOccurrences(of: "address: 192.168.1.1", with: "address: 127.0.0.1")
            .replacingOccurrences(of: "address: 192.168.1.2", with: "address: 127.0.0.2")
            .replacingOccurrences(of: "securePort: 443", with: "securePort: \(port)")
        // --peers connects to every other master; TestSupport.agent (AgentNetworkGuard) stops the run
        // if any of them is left off the loopback.
        let configPath = root.path + "/cluster.yaml"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let caDir = root.appendingPathComponent("ca")
        try FileManager.default.createDirectory(at: caDir, withIntermediateDirectories: true)
        let ca = try TestCA.make(in: caDir, subject: "/CN=peer-ca", days: 5)
        let common = ["--config", configPath, "--node", "master01", "--root", root.path]
        XCTAssertEqual(
            try TestSupport.agent(["bootstrap", "--steps", "certs", "--ca-cert", ca.cert, "--ca-key", ca.key] + common)
                .status, 0)
        let pki = root.path + "/etc/kubernetes/ssl"

        // master02 serves the same key and certificate: the check passes.
        try serve(cert: pki + "/apiserver.crt", key: pki + "/apiserver.key", host: "127.0.0.2", port: port)
        let same = try TestSupport.agent(["certs", "check", "--peers"] + common)
        XCTAssertEqual(same.status, 0, same.stdout + same.stderr)
        XCTAssertTrue(same.stdout.contains("peer master02"), same.stdout)
        tearDown()

        // master02 serves a certificate from the same CA but for another key: an error naming master02.
        let toolkit = OpenSSLToolkit()
        let otherKey = try toolkit.generateKey(.ecdsaP256)
        let parsed = try ConfigLoader.load(yaml: config, file: configPath)
        let chain = try toolkit.sign(
            csrPEM: toolkit.makeCSR(
                keyPEM: otherKey, commonName: "kube-apiserver", sans: APIServerSANs.required(parsed)),
            caCertPEM: Data(contentsOf: URL(fileURLWithPath: ca.cert)),
            caKeyPEM: Data(contentsOf: URL(fileURLWithPath: ca.key)), validityDays: 2, notBefore: Date())
        try otherKey.write(to: URL(fileURLWithPath: root.path + "/other.key"))
        try chain.write(to: URL(fileURLWithPath: root.path + "/other.crt"))
        try serve(cert: root.path + "/other.crt", key: root.path + "/other.key", host: "127.0.0.2", port: port)
        let differs = try TestSupport.agent(["certs", "check", "--peers"] + common)
        XCTAssertEqual(differs.status, 1)
        XCTAssertTrue(differs.stdout.contains("master02 (127.0.0.2:\(port)) serves a different key"), differs.stdout)
        tearDown()

        // Nobody listens: unreachable is an error too, with the cause.
        let down = try TestSupport.agent(["certs", "check", "--peers", "--peer-timeout", "1"] + common)
        XCTAssertEqual(down.status, 1)
        XCTAssertTrue(down.stdout.contains("could not check master02"), down.stdout)
    }
}
