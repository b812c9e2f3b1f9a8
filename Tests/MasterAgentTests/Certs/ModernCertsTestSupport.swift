import Foundation
import Logging
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime

/// Runs the modern certs step in-process on a temporary root and reads what it wrote.
enum ModernCertsTestSupport {
    /// The example modern config with `keyType` (ECDSA keeps the tests fast).
    static func config(keyType: KeyType = .ecdsaP256, edit: (String) -> String = { $0 }) throws -> ClusterConfig {
        let text = try TestSupport.fixtureText("modern-cluster.yaml")
            .replacingOccurrences(of: "keyType: rsa-2048", with: "keyType: \(keyType.rawValue)")
        return try ConfigLoader.load(yaml: edit(text), file: "modern-cluster.yaml")
    }

    /// A bootstrap context for master `node` writing under `root`, with the real OpenSSL toolkit.
    static func context(
        _ config: ClusterConfig, node: String, root: URL, dryRun: Bool = false, now: Date = Date()
    ) -> BootstrapContext {
        let context = BootstrapContext(
            config: config, node: config.master(named: node)!, files: RootedFileSystem(root: root.path),
            dryRun: dryRun, logger: Logger(label: "test"), clock: ManualClock(), random: FixedRandom(),
            makeAPITransport: { throw UsageError("unused") })
        context.pki = OpenSSLToolkit()
        context.wallClock = FixedWallClock(now)
        return context
    }

    /// Runs the step for `node`.
    @discardableResult
    static func run(
        _ config: ClusterConfig, node: String, root: URL, dryRun: Bool = false
    ) throws -> StepOutcome {
        try CertsStep().run(context(config, node: node, root: root, dryRun: dryRun))
    }

    /// The host path of a node path under `root`.
    static func host(_ root: URL, _ path: String) -> String { root.path + path }

    /// Every regular file under `root` (relative node paths) with its bytes and mode.
    static func snapshot(_ root: URL) throws -> [String: (data: Data, mode: Int)] {
        var files: [String: (data: Data, mode: Int)] = [:]
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return files }
        for case let relative as String in walker {
            let path = root.path + "/" + relative
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue
            else { continue }
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber
            files["/" + relative] = (try Data(contentsOf: URL(fileURLWithPath: path)), mode.intValue & 0o7777)
        }
        return files
    }

    /// `openssl verify -CAfile ca certificate` (with `-purpose` for a leaf); asserts OK.
    static func assertVerifies(
        _ certificate: String, ca: String, purpose: String?, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        var arguments = ["verify", "-CAfile", ca]
        if let purpose { arguments += ["-purpose", purpose] }
        let result = try OpenSSLTestSupport.openssl(arguments + [certificate])
        XCTAssertEqual(result.status, 0, "\(certificate): \(result.stderr)", file: file, line: line)
        XCTAssertEqual(result.stdout, "\(certificate): OK\n", file: file, line: line)
        let text = try OpenSSLTestSupport.openssl(["x509", "-in", certificate, "-noout", "-text"])
        XCTAssertEqual(text.status, 0, text.stderr, file: file, line: line)
        XCTAssertTrue(text.stdout.contains("Certificate:"), file: file, line: line)
    }

    /// The facts of the first certificate in the host file `path`.
    static func facts(_ path: String) throws -> CertificateFacts {
        let pem = try Data(contentsOf: URL(fileURLWithPath: path))
        return try XCTUnwrap(try OpenSSLToolkit().inspect(certificatesPEM: pem, source: path).first, path)
    }
}
