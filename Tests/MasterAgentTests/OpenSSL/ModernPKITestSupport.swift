import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime

/// Issues a modern PKI tree through the `PKIToolkit` port and reads certificates back as kubeadm's certs.txt shows them.
enum ModernPKITestSupport {
    /// Every PEM of one master's issued tree, by spec name.
    struct IssuedTree {
        /// Certificates by spec name (`ca`, `apiserver`, `admin.conf`, ...).
        var certificates: [String: Data] = [:]
        /// Private keys by spec or key pair name (`sa` included).
        var keys: [String: Data] = [:]
        /// Public keys of the key pairs (`sa`), SPKI PEM.
        var publicKeys: [String: Data] = [:]
        /// Encryption keys by name (`key1`).
        var encryptionKeys: [String: Data] = [:]
    }

    /// Issues `tree` as the certs step will: each certificate with a fresh key (CAs self-signed, everything else by its
    /// issuer, which the tree lists first), then sa.key/sa.pub, then the encryption key.
    static func issue(_ tree: PKITree, with pki: PKIToolkit, issuedAt: Date) throws -> IssuedTree {
        var issued = IssuedTree()
        for spec in tree.allCertificates {
            let key = try pki.generateKey(spec.keyType)
            issued.keys[spec.name] = key
            if let issuer = spec.issuer {
                let caCert = try XCTUnwrap(issued.certificates[issuer], "\(issuer) is issued before \(spec.name)")
                let caKey = try XCTUnwrap(issued.keys[issuer])
                issued.certificates[spec.name] = try pki.issue(
                    spec, keyPEM: key, caCertPEM: caCert, caKeyPEM: caKey,
                    issuedAt: issuedAt)
            } else {
                issued.certificates[spec.name] = try pki.makeCertificateAuthority(spec, keyPEM: key, issuedAt: issuedAt)
            }
        }
        for pair in tree.keyPairs {
            let key = try pki.generateKey(pair.keyType)
            issued.keys[pair.name] = key
            issued.publicKeys[pair.name] = try pki.publicKeyPEM(ofKey: key)
        }
        for secret in tree.encryptionKeys {
            issued.encryptionKeys[secret.name] = try pki.randomBytes(secret.byteCount)
        }
        return issued
    }

    /// The file a spec's certificate is written to in tests: `<baseName>.crt`, or `<kubeconfig>.crt` for a client.
    static func fileName(_ spec: CertificateSpec) -> String { "\(spec.baseName ?? spec.name).crt" }

    /// Writes every certificate and key of `issued` into `directory` (`<file>.crt`, `<file>.key`, `sa.pub`).
    static func write(_ issued: IssuedTree, of tree: PKITree, into directory: URL) throws {
        for spec in tree.allCertificates {
            let base = spec.baseName ?? spec.name
            try OpenSSLTestSupport.write(try XCTUnwrap(issued.certificates[spec.name]), "\(base).crt", in: directory)
            try OpenSSLTestSupport.write(try XCTUnwrap(issued.keys[spec.name]), "\(base).key", in: directory)
        }
        for pair in tree.keyPairs {
            try OpenSSLTestSupport.write(try XCTUnwrap(issued.keys[pair.name]), pair.privateKeyFile, in: directory)
            try OpenSSLTestSupport.write(try XCTUnwrap(issued.publicKeys[pair.name]), pair.publicKeyFile, in: directory)
        }
    }

    /// A certificate as kubeadm's certs.txt describes it: subject, issuer and the printed extensions in order.
    struct Shape: Equatable {
        var subject = ""
        var issuer = ""
        /// (header, value) pairs, e.g. ("X509v3 Key Usage: critical", "Digital Signature, Key Encipherment").
        var extensions: [Pair] = []
        /// The key and signature algorithm lines (`Public-Key: (2048 bit)`, ...), in no particular order.
        var algorithms: Set<String> = []

        struct Pair: Equatable {
            var header: String
            var value: String
        }

        func value(_ headerPrefix: String) -> String? {
            extensions.first { $0.header.hasPrefix(headerPrefix) }?.value
        }
    }

    // The lines of certs.txt that say which key and signature algorithm a certificate has.
    private static let algorithmPrefixes = [
        "Public Key Algorithm:", "Public-Key:", "Signature Algorithm:", "ASN1 OID:", "NIST CURVE:",
    ]

    /// kubeadm's certificates by block name (`pki/apiserver.crt`, `admin.conf`), the throwaway seed files left out.
    static func kubeadmShapes(_ fixture: String) throws -> [String: Shape] {
        var shapes: [String: Shape] = [:]
        var current: String?
        var lines = try TestSupport.fixtureText("kubeadm-1.36/\(fixture)").components(separatedBy: "\n")[...]
        while let line = lines.popFirst() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("== ") {
                let title = line.dropFirst(3)
                let name = String(title.prefix { $0 != " " })
                current = title.contains("(seed)") || name.hasSuffix(".key") ? nil : name
                continue
            }
            guard let name = current else { continue }
            if trimmed.hasPrefix("subject=") {
                shapes[name, default: Shape()].subject = String(trimmed.dropFirst("subject=".count))
            } else if trimmed.hasPrefix("issuer=") {
                shapes[name, default: Shape()].issuer = String(trimmed.dropFirst("issuer=".count))
            } else if trimmed.hasPrefix("X509v3 ") {
                let value = lines.popFirst()?.trimmingCharacters(in: .whitespaces) ?? ""
                shapes[name, default: Shape()].extensions.append(.init(header: trimmed, value: value))
            } else if algorithmPrefixes.contains(where: trimmed.hasPrefix) {
                shapes[name, default: Shape()].algorithms.insert(trimmed)
            }
        }
        return shapes
    }

    /// What `openssl x509 -subject -issuer -ext keyUsage,extendedKeyUsage,basicConstraints,subjectAltName` prints for
    /// `file`, in kubeadm's certs.txt form, plus the algorithm lines of `-text` that certs.txt lists.
    static func opensslShape(of file: URL) throws -> Shape {
        let result = try OpenSSLTestSupport.openssl([
            "x509", "-in", file.path, "-noout", "-subject", "-issuer", "-nameopt", "RFC2253",
            "-ext", "keyUsage,extendedKeyUsage,basicConstraints,subjectAltName",
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        var shape = Shape()
        var lines = result.stdout.components(separatedBy: "\n")[...]
        while let line = lines.popFirst() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("subject=") {
                shape.subject = String(trimmed.dropFirst("subject=".count))
            } else if trimmed.hasPrefix("issuer=") {
                shape.issuer = String(trimmed.dropFirst("issuer=".count))
            } else if trimmed.hasPrefix("X509v3 ") {
                let value = lines.popFirst()?.trimmingCharacters(in: .whitespaces) ?? ""
                shape.extensions.append(.init(header: trimmed, value: value))
            }
        }
        let text = try OpenSSLTestSupport.openssl(["x509", "-in", file.path, "-noout", "-text"])
        for line in text.stdout.components(separatedBy: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if algorithmPrefixes.contains(where: trimmed.hasPrefix) { shape.algorithms.insert(trimmed) }
        }
        return shape
    }
}
