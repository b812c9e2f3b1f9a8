import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// Shared material and helpers for the OpenSSL tests: keys are generated once per process and reused.
enum OpenSSLTestSupport {
    /// A fixed clock for certificates, so validity windows do not depend on when the suite runs.
    static let now = Date()

    /// The SANs of the documented master01, complete (no DNS.5 gap).
    static let apiServerSANs: [SubjectAltName] = [
        .dns("localhost"), .dns("kubernetes"), .dns("kubernetes.default"), .dns("kubernetes.default.svc"),
        .dns("kubernetes.default.svc.cluster.local"), .dns("loadbalancer.example.com"),
        .dns("master01.example.com"), .dns("master02.example.com"),
        .ip("127.0.0.1"), .ip("10.3.0.1"), .ip("192.168.3.1"), .ip("192.168.1.1"), .ip("192.168.1.2"),
    ]

    private static let lock = NSLock()
    private static var keys: [String: PrivateKey] = [:]

    /// A key of `type` shared by every test under `name` (generated on first use).
    static func key(_ name: String, _ type: KeyType = .rsa2048) throws -> PrivateKey {
        lock.lock()
        defer { lock.unlock() }
        let cacheKey = "\(name)/\(type.rawValue)"
        if let key = keys[cacheKey] { return key }
        let key = try PrivateKey.generate(type)
        keys[cacheKey] = key
        return key
    }

    /// The suite's root CA (key "ca"), valid 10 years from `notBefore` (default: a day before `now`).
    static func rootCA(notBefore: Date = now.addingTimeInterval(-86_400)) throws -> CertificateAuthority {
        try CertificateAuthority.makeSelfSigned(
            key: key("ca"), commonName: "master-agent test CA", validityDays: 3650,
            notBefore: notBefore)
    }

    /// A second, unrelated root CA (key "other-ca").
    static func otherCA() throws -> CertificateAuthority {
        try CertificateAuthority.makeSelfSigned(
            key: key("other-ca"), commonName: "some other CA", validityDays: 3650,
            notBefore: now.addingTimeInterval(-86_400))
    }

    /// A server certificate for `key` (default "server") with the documented SANs, signed by `ca`.
    static func serverCertificate(
        by ca: CertificateAuthority, key name: String = "server", validityDays: Int = 365,
        notBefore: Date = now
    ) throws -> Certificate {
        let csr = try CertificateSigningRequest.make(key: key(name), subjectAltNames: apiServerSANs)
        return try ca.sign(csr, validityDays: validityDays, notBefore: notBefore)
    }

    /// A fresh temporary directory removed by the test case's teardown.
    static func temporaryDirectory(for testCase: XCTestCase) throws -> URL {
        try TestSupport.makeTemporaryDirectory(testCase, name: "tls")
    }

    /// Runs the `openssl` command line with `arguments` and waits for it.
    static func openssl(_ arguments: [String], in directory: URL? = nil) throws -> TestSupport.ProcessResult {
        try TestSupport.run(URL(fileURLWithPath: "/usr/bin/openssl"), arguments, currentDirectory: directory)
    }

    /// The SANs `openssl x509 -noout -ext subjectAltName` lists for a certificate file.
    static func opensslSANs(certificateFile: URL) throws -> [SubjectAltName] {
        let result = try openssl(["x509", "-in", certificateFile.path, "-noout", "-ext", "subjectAltName"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        guard lines.count == 2, lines[0].hasPrefix("X509v3 Subject Alternative Name") else { return [] }
        return lines[1].components(separatedBy: ", ").compactMap { SubjectAltName(parsing: $0) }
    }

    /// Writes `data` to `name` inside `directory` and returns the file URL.
    @discardableResult
    static func write(_ data: Data, _ name: String, in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try data.write(to: url)
        return url
    }
}
