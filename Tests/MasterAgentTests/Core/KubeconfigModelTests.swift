import Foundation
import XCTest

@testable import AgentCore

/// The kubeconfig and EncryptionConfiguration models: kubeadm's shape, decoded back, errors that name the field.
final class KubeconfigModelTests: XCTestCase {
    private let caPEM = Data("-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n".utf8)
    private let certificatePEM = Data("-----BEGIN CERTIFICATE-----\nLEAF\n-----END CERTIFICATE-----\n".utf8)
    private let keyPEM = Data("-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n".utf8)

    private func kubeconfig(_ spec: KubeconfigSpec, certificate: Data? = nil) -> Kubeconfig {
        Kubeconfig(
            clusterName: spec.clusterName, server: spec.server, caPEM: caPEM, userName: spec.userName,
            contextName: spec.contextName, clientCertificatePEM: certificate ?? certificatePEM, clientKeyPEM: keyPEM)
    }

    /// The keys of each line with values dropped: kubeadm's layout without its (redacted) data.
    private func skeleton(_ yaml: String) -> [String] {
        yaml.split(separator: "\n").map { line in
            guard let colon = line.range(of: ":") else { return String(line) }
            return String(line[..<colon.upperBound])
        }
    }

    func testEveryKubeconfigHasKubeadmsLayoutAndValues() throws {
        let tree = ModernPKIExample.tree(for: "master01")
        for name in ["admin.conf", "super-admin.conf", "controller-manager.conf", "scheduler.conf", "kubelet.conf"] {
            let spec = try XCTUnwrap(tree.kubeconfigs.first { $0.fileName == name })
            let kubeadm = try TestSupport.fixtureText("kubeadm-1.36/kubeconfigs/\(name)")
            let ours = try kubeconfig(spec).yaml()
            XCTAssertEqual(skeleton(ours), skeleton(kubeadm), name)
            // Everything but the data is kubeadm's value for value (its redacted data is not YAML: replaced).
            let redacted = kubeadm.split(separator: "\n").map { line in
                line.contains("-data: ") ? String(line[..<line.range(of: "-data: ")!.upperBound]) + "x" : String(line)
            }
            let theirs = try Kubeconfig.decode(redacted.joined(separator: "\n"), file: name)
            var mine = try Kubeconfig.decode(ours, file: name)
            mine.clusters[0].cluster.certificateAuthorityData = theirs.clusters[0].cluster.certificateAuthorityData
            mine.users[0].user = theirs.users[0].user
            XCTAssertEqual(mine, theirs, name)
        }
    }

    func testCurrentCredentialsAreTheEmbeddedPEMs() throws {
        let spec = ModernPKIExample.tree(for: "master02").kubeconfigs.first { $0.fileName == "super-admin.conf" }!
        let decoded = try Kubeconfig.decode(try kubeconfig(spec).yaml(), file: "super-admin.conf")
        let credentials = try decoded.currentCredentials(file: "super-admin.conf")
        XCTAssertEqual(credentials.server, "https://loadbalancer.example.com:6443")
        XCTAssertEqual(credentials.caPEM, caPEM)
        XCTAssertEqual(credentials.clientCertificatePEM, certificatePEM)
        XCTAssertEqual(credentials.clientKeyPEM, keyPEM)
    }

    func testMissingPiecesAreNamed() throws {
        let spec = ModernPKIExample.tree().kubeconfigs[0]
        var partial = kubeconfig(spec)
        partial.users[0].user.clientCertificateData = nil
        XCTAssertThrowsError(try partial.currentCredentials(file: "/etc/kubernetes/admin.conf")) {
            XCTAssertEqual(
                "\($0)", "/etc/kubernetes/admin.conf has no embedded client-certificate-data for the current context")
        }
        var dangling = kubeconfig(spec)
        dangling.currentContext = "other@kubernetes"
        XCTAssertThrowsError(try dangling.currentCredentials(file: "a.conf")) {
            XCTAssertEqual("\($0)", "a.conf has no context \"other@kubernetes\" (current-context)")
        }
        XCTAssertThrowsError(try Kubeconfig.decode("apiVersion: v1\nkind: Config\n", file: "b.conf")) {
            XCTAssertTrue("\($0)".hasPrefix("b.conf is not a kubeconfig this agent can read"), "\($0)")
        }
    }

    func testEncryptionConfigurationRoundTripsAndTheReferenceFileValidates() throws {
        let spec = EncryptionKeySpec(name: "key1", provider: "secretbox", byteCount: 32, scope: .shared)
        let key = Data((0..<32).map { UInt8($0) })
        let text = try EncryptionConfiguration(secretboxKey: spec, key: key).yaml()
        XCTAssertTrue(text.hasPrefix("# --encryption-provider-config"), text)
        let decoded = try EncryptionConfiguration.decode(text, file: "e.yaml")
        XCTAssertEqual(decoded, EncryptionConfiguration(secretboxKey: spec, key: key))
        XCTAssertNil(decoded.problem(for: spec))
        XCTAssertTrue(text.contains("secret: \(key.base64EncodedString())"), text)

        // The reference file, its placeholder replaced, is accepted as it is (an operator may have written it).
        let reference = try TestSupport.fixtureText("modern-1.36/encryption-config.yaml").replacingOccurrences(
            of: "PLACEHOLDER_BASE64_OF_32_RANDOM_BYTES", with: key.base64EncodedString())
        let parsed = try EncryptionConfiguration.decode(reference, file: "reference")
        XCTAssertEqual(parsed, decoded)

        var short = decoded
        short.resources[0].providers[0].secretbox?.keys[0].secret = Data(count: 16).base64EncodedString()
        XCTAssertEqual(short.problem(for: spec), "has a secretbox key key1 that is not 32 bytes of base64")
        var identityFirst = decoded
        identityFirst.resources[0].providers.reverse()
        XCTAssertEqual(identityFirst.problem(for: spec), "does not encrypt secrets with secretbox first")
    }
}
