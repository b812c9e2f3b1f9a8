import Foundation
import XCTest

/// A throw-away PKI made with the `openssl` CLI: a server CA and a server certificate for 127.0.0.1,
/// an unrelated CA, and a client CA with a client certificate.
final class CurlTestCertificates {
    /// Directory holding every file; removed by `remove()`.
    let directory: URL

    /// Creates the files in a new temp directory; throws when an `openssl` run fails.
    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("curl-pki-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try TestCA.make(in: directory, name: "ca", subject: "/CN=curl-test-server-ca", days: 2, keyType: .ecP256)
        try TestCA.make(
            in: directory, name: "other-ca", subject: "/CN=curl-test-unrelated-ca", days: 2, keyType: .ecP256)
        try TestCA.make(in: directory, name: "client-ca", subject: "/CN=curl-test-client-ca", days: 2, keyType: .ecP256)
        try makeLeaf(
            "server", subject: "/CN=127.0.0.1", ca: "ca",
            extensions: "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
        try makeLeaf(
            "client", subject: "/O=system:masters/CN=master-agent", ca: "client-ca",
            extensions: "extendedKeyUsage=clientAuth\n")
    }

    /// Path of `<name>.crt`.
    func cert(_ name: String) -> String { directory.appendingPathComponent("\(name).crt").path }
    /// Path of `<name>.key`.
    func key(_ name: String) -> String { directory.appendingPathComponent("\(name).key").path }

    /// Deletes the directory.
    func remove() { try? FileManager.default.removeItem(at: directory) }

    func makeLeaf(_ name: String, subject: String, ca: String, extensions: String) throws {
        let csr = directory.appendingPathComponent("\(name).csr").path
        let ext = directory.appendingPathComponent("\(name).ext").path
        try extensions.write(toFile: ext, atomically: true, encoding: .utf8)
        try openssl([
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key(name), "-out", csr, "-subj", subject,
        ])
        try openssl([
            "x509", "-req", "-in", csr, "-CA", cert(ca), "-CAkey", key(ca), "-CAcreateserial",
            "-out", cert(name), "-days", "2", "-extfile", ext,
        ])
    }

    private func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(
                domain: "openssl", code: Int(process.terminationStatus),
                userInfo: [NSLocalizedDescriptionKey: "openssl \(arguments.joined(separator: " ")): \(text)"])
        }
    }
}
