import Foundation
import XCTest

@testable import AgentPlatform

#if canImport(Glibc)
import Glibc
#endif

/// A real etcd (Debian's `etcd-server`, 3.4) on 127.0.0.1 for the secrets tests: client-certificate TLS made by
/// the tests' own CA, free ports, data in a temp dir, stopped by PID. The serving certificate carries clientAuth
/// too, because etcd's JSON gateway dials etcd with it (3.5 answers 503 without it).
final class EtcdTestServer {
    /// Where etcd may be: `MASTER_AGENT_ETCD`, Debian's package, the real tier's cache (scripts/real-control-plane).
    static func binary() -> String? {
        var candidates = ["/usr/bin/etcd"]
        if let explicit = ProcessInfo.processInfo.environment["MASTER_AGENT_ETCD"] {
            candidates.insert(explicit, at: 0)
        }
        let cache = "/var/cache/master-agent-real-cp"
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: cache)) ?? [] {
            candidates.append("\(cache)/\(entry)/bin/etcd")
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Not found: a failure where every test must run (root, CI=true; see scripts/test), a skip elsewhere.
    struct Missing: Error, CustomStringConvertible {
        let description =
            "no etcd binary (/usr/bin/etcd from Debian's etcd-server, or MASTER_AGENT_ETCD): run scripts/setup as root"
    }

    static func requireBinary() throws -> String {
        if let binary = binary() { return binary }
        if geteuid() == 0 || ProcessInfo.processInfo.environment["CI"] == "true" { throw Missing() }
        throw XCTSkip(Missing().description)
    }

    let directory: URL
    let binaryPath: String
    let clientPort: UInt16
    let peerPort: UInt16
    private var process: Process?
    /// The running etcd's PID, 0 when it is not running.
    var pid: pid_t { process?.isRunning == true ? process!.processIdentifier : 0 }

    /// `https://127.0.0.1:PORT`.
    var endpoint: String { "https://127.0.0.1:\(clientPort)" }
    var caFile: String { directory.appendingPathComponent("ca.crt").path }
    var clientCertFile: String { directory.appendingPathComponent("client.crt").path }
    var clientKeyFile: String { directory.appendingPathComponent("client.key").path }

    /// Makes the PKI and picks the ports; `start()` runs etcd. Stopped (by PID) when the test ends.
    init(_ test: XCTestCase) throws {
        binaryPath = try Self.requireBinary()
        directory = try TestSupport.makeTemporaryDirectory(test, name: "etcd")
        clientPort = try Self.freePort()
        peerPort = try Self.freePort()
        try makePKI()
        test.addTeardownBlock { [self] in stop() }
    }

    /// Starts etcd; with `waitUntilReady`, returns once `GET /health` answers `"health":"true"` over mutual TLS.
    func start(waitUntilReady: Bool = true) throws {
        let log = directory.appendingPathComponent("etcd.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binaryPath)
        let client = endpoint, peer = "http://127.0.0.1:\(peerPort)"
        process.arguments = [
            "--name", "secrets-test", "--data-dir", directory.appendingPathComponent("data").path,
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", "secrets-test=\(peer)", "--initial-cluster-state", "new",
            "--cert-file", directory.appendingPathComponent("server.crt").path,
            "--key-file", directory.appendingPathComponent("server.key").path,
            "--client-cert-auth", "--trusted-ca-file", caFile, "--log-level", "warn",
        ]
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
        if waitUntilReady { try waitUntilHealthy(timeout: 30) }
    }

    /// SIGTERM, then SIGKILL after 5 s; only the PID this helper started.
    func stop() {
        guard let process else { return }
        self.process = nil
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<100 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// A libcurl client with the tests' client certificate.
    func httpClient() throws -> HTTPClient {
        try HTTPClient(
            tls: HTTPTLSConfig(caFile: caFile, clientCertFile: clientCertFile, clientKeyFile: clientKeyFile),
            userAgent: "secrets-tests")
    }

    /// Copies the CA and client certificate into `root/etc/etcd-test/` and returns the config's `etcd:` section.
    func etcdSection(root: URL, endpoints: [String]? = nil) throws -> String {
        let target = root.appendingPathComponent("etc/etcd-test")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        for name in ["ca.crt", "client.crt", "client.key"] {
            let destination = target.appendingPathComponent(name).path
            try? FileManager.default.removeItem(atPath: destination)
            try FileManager.default.copyItem(atPath: directory.appendingPathComponent(name).path, toPath: destination)
        }
        let list = (endpoints ?? [endpoint]).map { "    - \($0)" }.joined(separator: "\n")
        return """
            etcd:
              endpoints:
            \(list)
              caFile: /etc/etcd-test/ca.crt
              certFile: /etc/etcd-test/client.crt
              keyFile: /etc/etcd-test/client.key

            """
    }

    private func waitUntilHealthy(timeout: TimeInterval) throws {
        let client = try httpClient()
        let deadline = Date().addingTimeInterval(timeout)
        var last = "no answer"
        while Date() < deadline {
            if let response = try? client.send(
                .init(url: "\(endpoint)/health", timeout: .seconds(2), connectTimeout: .seconds(1))),
                response.status == 200, response.bodyText.contains("\"health\":\"true\"")
            {
                return
            } else if let response = try? client.send(.init(url: "\(endpoint)/health")) {
                last = "\(response.status) \(response.bodyText)"
            }
            usleep(100_000)
        }
        let log = (try? String(contentsOf: directory.appendingPathComponent("etcd.log"), encoding: .utf8)) ?? ""
        throw NSError(
            domain: "EtcdTestServer", code: 1,
            userInfo: [NSLocalizedDescriptionKey: "etcd did not become healthy in \(timeout)s (\(last)); log:\n\(log)"])
    }

    private func makePKI() throws {
        try TestCA.make(in: directory, name: "ca", subject: "/CN=secrets-test-etcd-ca", days: 2, keyType: .ecP256)
        try makeLeaf(
            "server", subject: "/CN=127.0.0.1",
            extensions: "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n")
        try makeLeaf("client", subject: "/CN=master-agent", extensions: "extendedKeyUsage=clientAuth\n")
    }

    private func makeLeaf(_ name: String, subject: String, extensions: String) throws {
        let path = { (suffix: String) in self.directory.appendingPathComponent("\(name).\(suffix)").path }
        try extensions.write(toFile: path("ext"), atomically: true, encoding: .utf8)
        for arguments in [
            [
                "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", path("key"), "-out", path("csr"), "-subj", subject,
            ],
            [
                "x509", "-req", "-in", path("csr"), "-CA", caFile, "-CAkey",
                directory.appendingPathComponent("ca.key").path,
                "-CAcreateserial", "-out", path("crt"), "-days", "2", "-extfile", path("ext"),
            ],
        ] {
            let result = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/openssl"), arguments)
            guard result.status == 0 else {
                throw TestCA.Failure(description: "openssl \(arguments): \(result.stderr)")
            }
        }
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw NSError(domain: "EtcdTestServer", code: 2) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw NSError(domain: "EtcdTestServer", code: 3) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }
}
