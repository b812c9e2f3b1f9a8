import Foundation

/// A throw-away CA made with the `openssl` CLI (`req -x509`), as an operator's CA host would make one.
enum TestCA {
    /// The CA key's algorithm (what `openssl req -newkey` gets).
    enum KeyType {
        /// RSA 2048, the document's CA.
        case rsa2048
        /// ECDSA on prime256v1.
        case ecP256

        fileprivate var newKeyArguments: [String] {
            switch self {
            case .rsa2048: return ["-newkey", "rsa:2048"]
            case .ecP256: return ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
            }
        }
    }

    /// Where the CA's PEM files are.
    struct Files {
        /// The self-signed certificate, `<name>.crt`.
        let cert: String
        /// The unencrypted private key, `<name>.key`.
        let key: String
    }

    /// An `openssl` run that failed.
    struct Failure: Error, CustomStringConvertible {
        /// The command line and what openssl printed on stderr.
        let description: String
    }

    /// Writes `<name>.crt` and `<name>.key` into `directory`: a CA for `subject` (e.g. "/CN=test-ca") valid for
    /// `days` days; throws `Failure` with openssl's stderr when it fails.
    @discardableResult
    static func make(
        in directory: URL, name: String = "ca", subject: String, days: Int,
        keyType: KeyType = .rsa2048
    ) throws -> Files {
        let files = Files(
            cert: directory.appendingPathComponent("\(name).crt").path,
            key: directory.appendingPathComponent("\(name).key").path)
        let arguments =
            ["req", "-x509"] + keyType.newKeyArguments + [
                "-nodes", "-keyout", files.key, "-out", files.cert, "-subj", subject, "-days", String(days),
            ]
        let result = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/openssl"), arguments)
        guard result.status == 0 else {
            throw Failure(
                description: "openssl \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return files
    }
}
