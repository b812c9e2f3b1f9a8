import Foundation
import XCTest

/// PKCS#10 requests made with the `openssl` CLI, as a kubelet would send them (or a forger).
enum TestSigningRequests {
    enum Key: String {
        case ec, rsa
    }

    /// A PEM request for `subject` (e.g. `/O=system:nodes/CN=system:node:worker-1`) with the subjectAltName text
    /// `sans` (e.g. `DNS:worker-1,IP:10.0.0.11`; empty for none), on a new key of `key`'s type.
    static func make(subject: String, sans: String, key: Key = .ec) throws -> Data {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("csr-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyOptions =
            key == .ec ? ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"] : ["-newkey", "rsa:2048"]
        let out = directory.appendingPathComponent("r.pem").path
        var arguments =
            ["req", "-new"] + keyOptions + [
                "-nodes", "-keyout", directory.appendingPathComponent("k.pem").path, "-out", out, "-subj", subject,
            ]
        if !sans.isEmpty { arguments += ["-addext", "subjectAltName=\(sans)"] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(
                domain: "openssl", code: Int(process.terminationStatus),
                userInfo: [NSLocalizedDescriptionKey: "openssl \(arguments.joined(separator: " ")) failed"])
        }
        return try Data(contentsOf: URL(fileURLWithPath: out))
    }
}
