import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime

/// master01's modern tree issued through `OpenSSLToolkit`, read back with the `openssl` CLI and compared with what
/// kubeadm v1.36.2 wrote for the same cluster (Fixtures/kubeadm-1.36/certs*.txt), for RSA-2048 and ECDSA-P256.
final class ModernPKIIssuanceTests: XCTestCase {
    private typealias Support = ModernPKITestSupport
    private let pki: PKIToolkit = OpenSSLToolkit()
    private let issuedAt = OpenSSLTestSupport.now

    /// (key type, kubeadm's certs.txt for it)
    private let keyTypes: [(KeyType, String)] = [(.rsa2048, "certs.txt"), (.ecdsaP256, "certs-ECDSA-P256.txt")]

    private func issueIntoDirectory(_ keyType: KeyType) throws -> (tree: PKITree, issued: Support.IssuedTree, dir: URL)
    {
        let tree = ModernPKIExample.tree(keyType: keyType)
        let issued = try Support.issue(tree, with: pki, issuedAt: issuedAt)
        let dir = try OpenSSLTestSupport.temporaryDirectory(for: self)
        try Support.write(issued, of: tree, into: dir)
        return (tree, issued, dir)
    }

    func testOpenSSLVerifiesEveryCertificateAgainstItsIssuer() throws {
        for (keyType, _) in keyTypes {
            let (tree, _, dir) = try issueIntoDirectory(keyType)
            for spec in tree.allCertificates {
                let file = Support.fileName(spec)
                let caFile = "\(tree.issuer(of: spec)?.baseName ?? spec.baseName!).crt"
                var arguments = ["verify", "-CAfile", caFile]
                if !spec.isCertificateAuthority {
                    arguments += ["-purpose", spec.usage == .serverAuth ? "sslserver" : "sslclient"]
                }
                let result = try OpenSSLTestSupport.openssl(arguments + [file], in: dir)
                XCTAssertEqual(result.status, 0, "\(keyType) \(spec.name): \(result.stderr)")
                XCTAssertEqual(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "\(file): OK")
            }
            // front-proxy-client is trusted through front-proxy-ca only, as the aggregation layer requires.
            let wrongCA = try OpenSSLTestSupport.openssl(
                ["verify", "-CAfile", "ca.crt", "front-proxy-client.crt"], in: dir)
            XCTAssertNotEqual(wrongCA.status, 0, "\(keyType)")
        }
    }

    func testEveryCertificateHasKubeadmsSubjectIssuerExtensionsAndAlgorithms() throws {
        for (keyType, fixture) in keyTypes {
            let kubeadm = try Support.kubeadmShapes(fixture)
            let (tree, _, dir) = try issueIntoDirectory(keyType)
            XCTAssertEqual(kubeadm.count, 10, "5 PKI certificates and 5 kubeconfigs in \(fixture)")
            for spec in tree.allCertificates {
                let ours = try Support.opensslShape(of: dir.appendingPathComponent(Support.fileName(spec)))
                let label = "\(keyType) \(spec.name)"
                // kube-proxy has no kubeadm kubeconfig (kubeadm gives it a ServiceAccount); it is shaped as the
                // controller-manager's, a client of ca without groups.
                let key =
                    spec.certificateFile.map { "pki/\($0)" }
                    ?? (spec.name == "proxy.conf" ? "controller-manager.conf" : spec.name)
                let theirs = try XCTUnwrap(kubeadm[key], label)

                XCTAssertEqual(ours.subject, spec.subject.description, label)
                XCTAssertEqual(ours.subject, Self.kubeadmSubjectAsOurs(theirs.subject, spec: spec), label)
                XCTAssertEqual(ours.issuer, theirs.issuer, label)
                XCTAssertEqual(ours.algorithms, theirs.algorithms, label)
                XCTAssertEqual(ours.extensions.map(\.header), theirs.extensions.map(\.header), label)
                for (mine, kubeadms) in zip(ours.extensions, theirs.extensions)
                where !mine.header.hasPrefix("X509v3 Subject Alternative Name") {
                    XCTAssertEqual(mine.value, kubeadms.value, "\(label) \(mine.header)")
                }
                let ourSANs = Set(Self.sans(ours.value("X509v3 Subject Alternative Name") ?? ""))
                let kubeadmSANs = Set(Self.sans(theirs.value("X509v3 Subject Alternative Name") ?? ""))
                XCTAssertEqual(ourSANs, Set(spec.subjectAltNames), label)
                // The legacy derivation's loopback names are ours only (the agent's own waits use them).
                let extra: Set<SubjectAltName> = spec.name == "apiserver" ? [.dns("localhost"), .ip("127.0.0.1")] : []
                XCTAssertEqual(ourSANs, kubeadmSANs.union(extra), label)
            }
            // The SANs are encoded in the spec's (sorted) order.
            let apiserverSANs = try OpenSSLTestSupport.opensslSANs(
                certificateFile: dir.appendingPathComponent("apiserver.crt"))
            XCTAssertEqual(apiserverSANs, tree.certificate(named: "apiserver")?.subjectAltNames)
        }
    }

    func testValidityIsBackdatedFiveMinutesAsKubeadmsAndKeysMatchTheirCertificates() throws {
        let tree = ModernPKIExample.tree(keyType: .ecdsaP256)
        let issued = try Support.issue(tree, with: pki, issuedAt: issuedAt)
        let start = issuedAt.timeIntervalSince1970.rounded(.down)
        for spec in tree.allCertificates {
            let pem = try XCTUnwrap(issued.certificates[spec.name])
            let facts = try XCTUnwrap(pki.inspect(certificatesPEM: pem, source: spec.name).first)
            XCTAssertEqual(facts.notBefore.timeIntervalSince1970, start - 300, spec.name)
            XCTAssertEqual(facts.notAfter.timeIntervalSince1970, start + Double(spec.validityDays) * 86_400, spec.name)
            XCTAssertEqual(facts.isCA, spec.isCertificateAuthority, spec.name)
            XCTAssertEqual(
                facts.publicKeyDER, try pki.publicKey(ofKey: try XCTUnwrap(issued.keys[spec.name])), spec.name)
        }
    }

    func testServiceAccountPublicKeyIsTheSPKIPEMOfItsPrivateKey() throws {
        for (keyType, _) in keyTypes {
            let (_, issued, dir) = try issueIntoDirectory(keyType)
            let cli = try OpenSSLTestSupport.openssl(["pkey", "-in", "sa.key", "-pubout"], in: dir)
            XCTAssertEqual(cli.status, 0, cli.stderr)
            XCTAssertEqual(
                cli.stdout, String(decoding: try XCTUnwrap(issued.publicKeys["sa"]), as: UTF8.self), "\(keyType)")
            XCTAssertTrue(cli.stdout.hasPrefix("-----BEGIN PUBLIC KEY-----\n"), cli.stdout)
            let text = try OpenSSLTestSupport.openssl(["pkey", "-pubin", "-in", "sa.pub", "-noout", "-text"], in: dir)
            XCTAssertEqual(text.status, 0, text.stderr)
            let size = keyType == .rsa2048 ? "Public-Key: (2048 bit)" : "Public-Key: (256 bit)"
            XCTAssertTrue(text.stdout.contains(size), text.stdout)
        }
    }

    func testEncryptionKeyIsThirtyTwoFreshRandomBytes() throws {
        let tree = ModernPKIExample.tree()
        let first = try Support.issue(tree, with: pki, issuedAt: issuedAt).encryptionKeys["key1"]
        XCTAssertEqual(first?.count, 32)
        let samples = try (0..<4).map { _ in try pki.randomBytes(32) }
        XCTAssertEqual(Set(samples + [first!]).count, 5, "no two draws alike")
        XCTAssertEqual(try pki.randomBytes(0), Data())
        XCTAssertThrowsError(try pki.randomBytes(-1)) { error in
            XCTAssertEqual((error as? OpenSSLError)?.code, .randomFailed, "\(error)")
        }
    }

    func testSpecOfTheWrongKindIsRefused() throws {
        let tree = ModernPKIExample.tree(keyType: .ecdsaP256)
        let key = try pki.generateKey(.ecdsaP256)
        let caSpec = try XCTUnwrap(tree.certificate(named: "ca"))
        let ca = try pki.makeCertificateAuthority(caSpec, keyPEM: key, issuedAt: issuedAt)
        let leafSpec = try XCTUnwrap(tree.certificate(named: "apiserver"))
        XCTAssertThrowsError(try pki.makeCertificateAuthority(leafSpec, keyPEM: key, issuedAt: issuedAt)) { error in
            XCTAssertEqual((error as? OpenSSLError)?.code, .buildFailed, "\(error)")
            XCTAssertTrue("\(error)".contains("not a CA"), "\(error)")
        }
        XCTAssertThrowsError(try pki.issue(caSpec, keyPEM: key, caCertPEM: ca, caKeyPEM: key, issuedAt: issuedAt)) {
            error in
            XCTAssertEqual((error as? OpenSSLError)?.code, .buildFailed, "\(error)")
        }
        var expired = leafSpec
        expired.validityDays = 0
        XCTAssertThrowsError(try pki.issue(expired, keyPEM: key, caCertPEM: ca, caKeyPEM: key, issuedAt: issuedAt)) {
            error in
            XCTAssertTrue("\(error)".contains("validity of 0 days"), "\(error)")
        }
        let otherKey = try pki.generateKey(.ecdsaP256)
        XCTAssertThrowsError(
            try pki.issue(leafSpec, keyPEM: key, caCertPEM: ca, caKeyPEM: otherKey, issuedAt: issuedAt)
        ) { error in
            XCTAssertEqual((error as? OpenSSLError)?.code, .keyMismatch, "\(error)")
        }
    }

    /// Issue 12's speed anchor: kubeadm's certs + kubeconfig + control-plane phases take ~0.8 s with RSA-2048 (11 keys)
    /// and ~80 ms with ECDSA-P256 on this kind of machine. This is the crypto of one master's tree alone (12 keys);
    /// the bound is generous so a busy shared machine does not fail it, the figure is printed.
    func testIssuingOneMastersTreeTakesAboutWhatKubeadmTakes() throws {
        let clock = ContinuousClock()
        func best(_ runs: Int = 3, _ body: () throws -> Void) rethrows -> Duration {
            var best = Duration.seconds(3600)
            for _ in 0..<runs { best = min(best, try clock.measure(body)) }
            return best
        }
        func ms(_ duration: Duration) -> Int {
            Int(Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)
        }
        var figures: [String] = []
        for (keyType, _) in keyTypes {
            let tree = ModernPKIExample.tree(keyType: keyType)
            let keys = tree.allCertificates.count + tree.keyPairs.count
            let whole = try best { _ = try Support.issue(tree, with: pki, issuedAt: issuedAt) }
            // Where the time goes: the keys alone, one after the other and on every core (they are independent).
            let keysOnly = try best { for _ in 0..<keys { _ = try pki.generateKey(keyType) } }
            let keysParallel = best {
                DispatchQueue.concurrentPerform(iterations: keys) { _ in _ = try? pki.generateKey(keyType) }
            }
            figures.append(
                "\(keyType.rawValue): \(keys) keys + \(tree.allCertificates.count) certificates \(ms(whole)) ms "
                    + "(keys alone \(ms(keysOnly)) ms, "
                    + "on \(ProcessInfo.processInfo.activeProcessorCount) cores \(ms(keysParallel)) ms)")
            XCTAssertLessThan(whole, keyType == .ecdsaP256 ? .seconds(5) : .seconds(30), "\(keyType)")
        }
        print("modern PKI tree of master01, best of 3: " + figures.joined(separator: "; "))
    }

    // kubeadm 1.36 puts no O on apiserver-kubelet-client; issue 12 and modern-1.36 keep O=kubeadm:cluster-admins there.
    private static func kubeadmSubjectAsOurs(_ subject: String, spec: CertificateSpec) -> String {
        switch spec.name {
        case "apiserver-kubelet-client": return subject + ",O=kubeadm:cluster-admins"
        case "proxy.conf": return "CN=system:kube-proxy"
        default: return subject
        }
    }

    private static func sans(_ line: String) -> [SubjectAltName] {
        line.isEmpty ? [] : line.components(separatedBy: ", ").compactMap { SubjectAltName(parsing: $0) }
    }
}
