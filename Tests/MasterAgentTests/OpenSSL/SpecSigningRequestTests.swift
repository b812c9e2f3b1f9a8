import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime

/// The offline-CA flow of the modern tree: a master without the CA key makes a CSR per spec, the CA host signs it as
/// that spec (the spec's usages, never the request's).
final class SpecSigningRequestTests: XCTestCase {
    private typealias Support = ModernPKITestSupport
    private let pki: PKIToolkit = OpenSSLToolkit()
    private let issuedAt = OpenSSLTestSupport.now
    private let tree = ModernPKIExample.tree(keyType: .ecdsaP256)

    private func authority(_ name: String) throws -> (cert: Data, key: Data) {
        let key = try pki.generateKey(.ecdsaP256)
        let spec = try XCTUnwrap(tree.certificate(named: name))
        return (try pki.makeCertificateAuthority(spec, keyPEM: key, issuedAt: issuedAt), key)
    }

    func testRequestCarriesSubjectWithGroupsAndSANsAndSigningGivesTheSpecsCertificate() throws {
        let cas = ["ca": try authority("ca"), "front-proxy-ca": try authority("front-proxy-ca")]
        let kubeadm = try Support.kubeadmShapes("certs-ECDSA-P256.txt")
        for name in ["apiserver", "apiserver-kubelet-client", "front-proxy-client", "kubelet.conf", "admin.conf"] {
            let spec = try XCTUnwrap(tree.certificate(named: name))
            let ca = try XCTUnwrap(cas[spec.issuer ?? ""], name)
            let key = try pki.generateKey(spec.keyType)
            let csr = try pki.makeCSR(for: spec, keyPEM: key)
            let dir = try OpenSSLTestSupport.temporaryDirectory(for: self)
            try OpenSSLTestSupport.write(csr, "request.csr", in: dir)

            let request = try OpenSSLTestSupport.openssl(
                [
                    "req", "-in", "request.csr", "-verify", "-noout", "-subject",
                    "-nameopt", "RFC2253", "-text",
                ], in: dir)
            XCTAssertEqual(request.status, 0, request.stderr)
            XCTAssertTrue(request.stderr.contains("verify OK") || request.stdout.contains("verify OK"), request.stderr)
            XCTAssertTrue(request.stdout.contains("\nsubject=\(spec.subject)\n"), request.stdout)
            XCTAssertEqual(
                request.stdout.contains("X509v3 Subject Alternative Name"), !spec.subjectAltNames.isEmpty, name)
            XCTAssertFalse(request.stdout.contains("Key Usage"), "the request asks for no usage: \(request.stdout)")
            let inspected = try pki.inspectRequest(csr)
            XCTAssertEqual(inspected.subjectAltNames, spec.subjectAltNames, name)
            XCTAssertEqual(inspected.publicKeyDER, try pki.publicKey(ofKey: key), name)

            let certificate = try pki.sign(
                csrPEM: csr, as: spec, caCertPEM: ca.cert, caKeyPEM: ca.key, issuedAt: issuedAt)
            try OpenSSLTestSupport.write(certificate, "signed.crt", in: dir)
            try OpenSSLTestSupport.write(ca.cert, "ca.crt", in: dir)
            let verify = try OpenSSLTestSupport.openssl(["verify", "-CAfile", "ca.crt", "signed.crt"], in: dir)
            XCTAssertEqual(verify.status, 0, verify.stderr)
            let shape = try Support.opensslShape(of: dir.appendingPathComponent("signed.crt"))
            XCTAssertEqual(shape.subject, spec.subject.description, name)
            let theirs = try XCTUnwrap(kubeadm[spec.certificateFile.map { "pki/\($0)" } ?? name], name)
            XCTAssertEqual(
                shape.extensions.filter { !$0.header.contains("Subject Alternative Name") },
                theirs.extensions.filter { !$0.header.contains("Subject Alternative Name") }, name)
            let facts = try XCTUnwrap(pki.inspect(certificatesPEM: certificate, source: name).first)
            XCTAssertEqual(facts.subjectAltNames, spec.subjectAltNames, name)
            XCTAssertEqual(facts.publicKeyDER, try pki.publicKey(ofKey: key), name)
            XCTAssertEqual(
                facts.notBefore.timeIntervalSince1970, issuedAt.timeIntervalSince1970.rounded(.down) - 300, name)
        }
    }

    func testCAAddsTheSpecsUsagesAndIgnoresWhatTheRequestAsksFor() throws {
        let ca = try authority("ca")
        let spec = try XCTUnwrap(tree.certificate(named: "kubelet.conf"))
        let dir = try OpenSSLTestSupport.temporaryDirectory(for: self)
        try OpenSSLTestSupport.write(try pki.generateKey(.ecdsaP256), "kubelet.key", in: dir)
        // An operator's (or an attacker's) request for the right subject that asks to be a CA and a server.
        let made = try OpenSSLTestSupport.openssl(
            [
                "req", "-new", "-key", "kubelet.key", "-subj", "/O=system:nodes/CN=system:node:master01", "-out",
                "kubelet.csr",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
                "-addext", "extendedKeyUsage=serverAuth",
            ], in: dir)
        XCTAssertEqual(made.status, 0, made.stderr)
        let csr = try Data(contentsOf: dir.appendingPathComponent("kubelet.csr"))
        let certificate = try pki.sign(csrPEM: csr, as: spec, caCertPEM: ca.cert, caKeyPEM: ca.key, issuedAt: issuedAt)
        try OpenSSLTestSupport.write(certificate, "kubelet.crt", in: dir)
        let shape = try Support.opensslShape(of: dir.appendingPathComponent("kubelet.crt"))
        XCTAssertEqual(shape.subject, "CN=system:node:master01,O=system:nodes")
        XCTAssertEqual(shape.value("X509v3 Key Usage"), "Digital Signature, Key Encipherment")
        XCTAssertEqual(shape.value("X509v3 Extended Key Usage"), "TLS Web Client Authentication")
        XCTAssertEqual(shape.value("X509v3 Basic Constraints"), "CA:FALSE")
    }

    func testRequestForAnotherSubjectOrOtherNamesIsRefused() throws {
        let ca = try authority("ca")
        let master01Kubelet = try XCTUnwrap(tree.certificate(named: "kubelet.conf"))
        let master02Tree = ModernPKIExample.tree(for: "master02", keyType: .ecdsaP256)
        let master02Kubelet = try XCTUnwrap(master02Tree.certificate(named: "kubelet.conf"))
        let key = try pki.generateKey(.ecdsaP256)
        let otherNode = try pki.makeCSR(for: master02Kubelet, keyPEM: key)
        XCTAssertThrowsError(
            try pki.sign(
                csrPEM: otherNode, as: master01Kubelet, caCertPEM: ca.cert, caKeyPEM: ca.key,
                issuedAt: issuedAt)
        ) { error in
            XCTAssertEqual((error as? OpenSSLError)?.code, .requestMismatch, "\(error)")
            XCTAssertTrue(
                "\(error)".contains(
                    "its subject is CN=system:node:master02,O=system:nodes, "
                        + "not CN=system:node:master01,O=system:nodes"), "\(error)")
        }

        var apiserver = try XCTUnwrap(tree.certificate(named: "apiserver"))
        var widened = apiserver
        widened.subjectAltNames.append(.dns("evil.example.com"))
        apiserver.subjectAltNames.removeAll { $0 == .dns("localhost") }
        let csr = try pki.makeCSR(for: widened, keyPEM: key)
        XCTAssertThrowsError(
            try pki.sign(
                csrPEM: csr, as: apiserver, caCertPEM: ca.cert, caKeyPEM: ca.key,
                issuedAt: issuedAt)
        ) { error in
            XCTAssertEqual((error as? OpenSSLError)?.code, .requestMismatch, "\(error)")
            XCTAssertTrue(
                "\(error)".contains("subjectAltNames DNS:evil.example.com, DNS:localhost the config does not derive"),
                "\(error)")
        }
        XCTAssertThrowsError(
            try pki.sign(
                csrPEM: try pki.makeCSR(for: apiserver, keyPEM: key), as: widened,
                caCertPEM: ca.cert, caKeyPEM: ca.key, issuedAt: issuedAt)
        ) { error in
            XCTAssertTrue(
                "\(error)".contains("it lacks subjectAltNames DNS:evil.example.com, DNS:localhost"), "\(error)")
        }
    }
}
