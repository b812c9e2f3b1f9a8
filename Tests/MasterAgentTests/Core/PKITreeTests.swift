import Foundation
import XCTest

@testable import AgentCore

/// The modern PKI tree as data, checked against what kubeadm v1.36.2 wrote for the same cluster
/// (Fixtures/kubeadm-1.36/certs.txt, kubeconfigs/ of the reference).
final class PKITreeTests: XCTestCase {
    private let tree = ModernPKIExample.tree()

    /// kubeadm's apiserver SANs for master01, in certs.txt's order.
    static let kubeadmAPIServerSANs: [SubjectAltName] = [
        .dns("kubernetes"), .dns("kubernetes.default"), .dns("kubernetes.default.svc"),
        .dns("kubernetes.default.svc.cluster.local"), .dns("loadbalancer.example.com"), .dns("master01"),
        .dns("master01.example.com"), .dns("master02.example.com"), .dns("master03.example.com"),
        .ip("10.96.0.1"), .ip("192.168.1.1"), .ip("192.168.3.1"), .ip("192.168.1.2"), .ip("192.168.1.3"),
    ]

    func testCertificatesFollowKubeadmsCertlist() throws {
        // name, base name, issuer, subject, usage, scope, validity days (kubeadm's 8760h and 87600h).
        let expected: [(String, String?, String?, String, CertificateUsage, PKIScope, Int)] = [
            ("ca", "ca", nil, "CN=kubernetes", .certificateAuthority, .shared, 3650),
            ("apiserver", "apiserver", "ca", "CN=kube-apiserver", .serverAuth, .perNode, 365),
            // kubeadm 1.36 writes CN only here; issue 12 and modern-1.36 keep O=kubeadm:cluster-admins.
            (
                "apiserver-kubelet-client", "apiserver-kubelet-client", "ca",
                "CN=kube-apiserver-kubelet-client,O=kubeadm:cluster-admins", .clientAuth, .perNode, 365
            ),
            ("front-proxy-ca", "front-proxy-ca", nil, "CN=front-proxy-ca", .certificateAuthority, .shared, 3650),
            (
                "front-proxy-client", "front-proxy-client", "front-proxy-ca", "CN=front-proxy-client", .clientAuth,
                .perNode, 365
            ),
        ]
        XCTAssertEqual(tree.certificates.count, expected.count)
        for (spec, row) in zip(tree.certificates, expected) {
            XCTAssertEqual(spec.name, row.0)
            XCTAssertEqual(spec.baseName, row.1, spec.name)
            XCTAssertEqual(spec.certificateFile, row.1.map { "\($0).crt" }, spec.name)
            XCTAssertEqual(spec.keyFile, row.1.map { "\($0).key" }, spec.name)
            XCTAssertEqual(spec.issuer, row.2, spec.name)
            XCTAssertEqual(spec.subject.description, row.3, spec.name)
            XCTAssertEqual(spec.usage, row.4, spec.name)
            XCTAssertEqual(spec.scope, row.5, spec.name)
            XCTAssertEqual(spec.validityDays, row.6, spec.name)
            XCTAssertEqual(spec.keyType, .rsa2048, spec.name)
        }
    }

    func testCASANsAreTheirOwnNameAndClientsHaveNone() {
        XCTAssertEqual(tree.certificate(named: "ca")?.subjectAltNames, [.dns("kubernetes")])
        XCTAssertEqual(tree.certificate(named: "front-proxy-ca")?.subjectAltNames, [.dns("front-proxy-ca")])
        for spec in tree.allCertificates where spec.usage == .clientAuth {
            XCTAssertEqual(spec.subjectAltNames, [], spec.name)
        }
    }

    func testAPIServerSANsAreKubeadmsPlusTheLegacyLoopbackNamesSorted() throws {
        let sans = try XCTUnwrap(tree.certificate(named: "apiserver")).subjectAltNames
        XCTAssertEqual(
            sans.map(\.description),
            [
                "DNS:kubernetes", "DNS:kubernetes.default", "DNS:kubernetes.default.svc",
                "DNS:kubernetes.default.svc.cluster.local", "DNS:loadbalancer.example.com", "DNS:localhost",
                "DNS:master01",
                "DNS:master01.example.com", "DNS:master02.example.com", "DNS:master03.example.com",
                "IP:10.96.0.1", "IP:127.0.0.1", "IP:192.168.1.1", "IP:192.168.1.2", "IP:192.168.1.3", "IP:192.168.3.1",
            ])
        // localhost and 127.0.0.1 come from the legacy derivation: the agent's own waits use https://127.0.0.1:6443.
        XCTAssertEqual(Set(sans).subtracting(Self.kubeadmAPIServerSANs), [.dns("localhost"), .ip("127.0.0.1")])
        XCTAssertEqual(Set(Self.kubeadmAPIServerSANs).subtracting(sans), [])
    }

    func testAPIServerSANsTakeExtraSANsAndTheNodeEvenWhenItIsNotListed() {
        var inputs = ModernPKIExample.inputs()
        inputs.extraSANs = ["api.example.com", "10.9.9.9"]
        inputs.node = .init(name: "master04", dnsName: "master04.example.com", address: IPv4Address("192.168.1.4")!)
        let sans = APIServerSANs.required(inputs)
        for name: SubjectAltName in [
            .dns("api.example.com"), .ip("10.9.9.9"), .dns("master04"),
            .dns("master04.example.com"), .ip("192.168.1.4"),
        ] {
            XCTAssertTrue(sans.contains(name), "\(name)")
        }
        XCTAssertEqual(sans, sans.sorted())
        XCTAssertEqual(Set(sans).count, sans.count, "no duplicates")
    }

    func testKubeconfigsFollowKubeadmAndIssue12() {
        // file, user (= CN), O, server; context is <user>@kubernetes.
        let expected: [(String, String, [String], String)] = [
            ("admin.conf", "kubernetes-admin", ["kubeadm:cluster-admins"], "https://loadbalancer.example.com:6443"),
            ("super-admin.conf", "kubernetes-super-admin", ["system:masters"], "https://loadbalancer.example.com:6443"),
            ("controller-manager.conf", "system:kube-controller-manager", [], "https://192.168.1.1:6443"),
            ("scheduler.conf", "system:kube-scheduler", [], "https://192.168.1.1:6443"),
            ("kubelet.conf", "system:node:master01", ["system:nodes"], "https://192.168.1.1:6443"),
            ("proxy.conf", "system:kube-proxy", [], "https://192.168.1.1:6443"),
        ]
        XCTAssertEqual(tree.kubeconfigs.map(\.fileName), expected.map(\.0))
        for (kubeconfig, row) in zip(tree.kubeconfigs, expected) {
            XCTAssertEqual(kubeconfig.userName, row.1)
            XCTAssertEqual(kubeconfig.contextName, "\(row.1)@kubernetes")
            XCTAssertEqual(kubeconfig.clusterName, "kubernetes")
            XCTAssertEqual(kubeconfig.client.subject, CertificateSubject(commonName: row.1, organizations: row.2))
            XCTAssertEqual(kubeconfig.server, row.3, kubeconfig.fileName)
            XCTAssertEqual(kubeconfig.client.name, row.0)
            XCTAssertNil(kubeconfig.client.baseName, "embedded, no file of its own")
            XCTAssertEqual(kubeconfig.client.issuer, "ca")
            XCTAssertEqual(kubeconfig.client.usage, .clientAuth)
            XCTAssertEqual(kubeconfig.client.validityDays, 365)
            XCTAssertEqual(kubeconfig.scope, .perNode)
        }
        // As the reference's kubelet.conf says it.
        XCTAssertEqual(tree.kubeconfigs[4].contextName, "system:node:master01@kubernetes")
    }

    func testSharedItemsAreTheCAsTheServiceAccountKeyAndTheEncryptionKey() {
        let shared =
            tree.allCertificates.filter { $0.scope == .shared }.map(\.name)
            + tree.keyPairs.filter { $0.scope == .shared }.map(\.name)
            + tree.encryptionKeys.filter { $0.scope == .shared }.map(\.name)
        XCTAssertEqual(shared, ["ca", "front-proxy-ca", "sa", "key1"])
        XCTAssertEqual(tree.keyPairs, [KeyPairSpec(name: "sa", baseName: "sa", scope: .shared, keyType: .rsa2048)])
        XCTAssertEqual(tree.keyPairs[0].privateKeyFile, "sa.key")
        XCTAssertEqual(tree.keyPairs[0].publicKeyFile, "sa.pub")
        XCTAssertEqual(
            tree.encryptionKeys,
            [EncryptionKeySpec(name: "key1", provider: "secretbox", byteCount: 32, scope: .shared)])
        XCTAssertNil(
            tree.certificate(named: "apiserver-etcd-client"), "the etcd client certificate stays the operator's")
    }

    func testEveryIssuerIsACAOfTheTreeListedBeforeWhatItSigns() throws {
        let all = tree.allCertificates
        for (index, spec) in all.enumerated() {
            guard let issuerName = spec.issuer else {
                XCTAssertTrue(spec.isCertificateAuthority, spec.name)
                continue
            }
            let issuer = try XCTUnwrap(tree.issuer(of: spec), spec.name)
            XCTAssertEqual(issuer.name, issuerName)
            XCTAssertTrue(issuer.isCertificateAuthority, spec.name)
            XCTAssertLessThan(try XCTUnwrap(all.firstIndex(of: issuer)), index, spec.name)
        }
        XCTAssertEqual(Set(all.map(\.name)).count, all.count, "names are unique")
    }

    func testKeyTypeReachesEveryKey() {
        let tree = ModernPKIExample.tree(keyType: .ecdsaP256)
        XCTAssertEqual(Set(tree.allCertificates.map(\.keyType)), [.ecdsaP256])
        XCTAssertEqual(tree.keyPairs.map(\.keyType), [.ecdsaP256])
    }

    func testUsagesGiveKubeadmsKeyUsageAndEKU() {
        // kubeadm keeps keyEncipherment on ECDSA leaves and CAs too (certs-ECDSA-P256.txt).
        let expected: [(CertificateUsage, [KeyUsage], [ExtendedKeyUsage], Bool)] = [
            (.certificateAuthority, [.digitalSignature, .keyEncipherment, .keyCertSign], [], true),
            (.serverAuth, [.digitalSignature, .keyEncipherment], [.serverAuth], false),
            (.clientAuth, [.digitalSignature, .keyEncipherment], [.clientAuth], false),
            (.serverAndClientAuth, [.digitalSignature, .keyEncipherment], [.serverAuth, .clientAuth], false),
        ]
        XCTAssertEqual(expected.map(\.0), CertificateUsage.allCases)
        for (usage, keyUsages, extended, isCA) in expected {
            XCTAssertEqual(usage.keyUsages, keyUsages, "\(usage)")
            XCTAssertEqual(usage.extendedKeyUsages, extended, "\(usage)")
            XCTAssertEqual(usage.isCertificateAuthority, isCA, "\(usage)")
        }
    }

    func testSubjectPrintsAsRFC2253WithCNFirst() {
        let cases: [(CertificateSubject, String)] = [
            (CertificateSubject(commonName: "kubernetes"), "CN=kubernetes"),
            (
                CertificateSubject(commonName: "system:node:master01", organizations: ["system:nodes"]),
                "CN=system:node:master01,O=system:nodes"
            ),
            (CertificateSubject(commonName: "u", organizations: ["a", "b"]), "CN=u,O=b,O=a"),
            (CertificateSubject(commonName: "a,b+c", organizations: ["#x"]), "CN=a\\,b\\+c,O=\\#x"),
        ]
        for (subject, text) in cases {
            XCTAssertEqual(subject.description, text)
        }
    }

    func testValidityIsBackdatedFiveMinutesAndEndsDaysAfterIssuance() throws {
        let issuedAt = Date(timeIntervalSince1970: 1_800_000_000.75)
        let leaf = try XCTUnwrap(tree.certificate(named: "apiserver")).validity(issuedAt: issuedAt)
        XCTAssertEqual(leaf.notBefore, Date(timeIntervalSince1970: 1_800_000_000 - 300))
        XCTAssertEqual(leaf.notAfter, Date(timeIntervalSince1970: 1_800_000_000 + 365 * 86_400))
        let ca = try XCTUnwrap(tree.certificate(named: "ca")).validity(issuedAt: issuedAt)
        // kubeadm's "87600h05m" window.
        XCTAssertEqual(ca.notAfter.timeIntervalSince(ca.notBefore), 3650 * 86_400 + 300)
    }

    func testSameInputsInAnyOrderGiveTheSameTree() {
        var shuffled = ModernPKIExample.inputs()
        shuffled.masters.reverse()
        shuffled.extraSANs = ["b.example.com", "10.0.0.9", "a.example.com"]
        var sorted = ModernPKIExample.inputs()
        sorted.extraSANs = ["a.example.com", "10.0.0.9", "b.example.com"]
        XCTAssertEqual(PKITree.modern(shuffled), PKITree.modern(sorted))
        XCTAssertEqual(PKITree.modern(sorted), PKITree.modern(sorted))
    }

    func testMaster02DiffersFromMaster01OnlyInPerNodeNameAndAddressFields() throws {
        let master01 = ModernPKIExample.tree(for: "master01")
        let master02 = ModernPKIExample.tree(for: "master02")
        XCTAssertEqual(master01.keyPairs, master02.keyPairs)
        XCTAssertEqual(master01.encryptionKeys, master02.encryptionKeys)
        XCTAssertEqual(
            Self.differences(master01, master02),
            [
                "apiserver.subjectAltNames",
                "controller-manager.conf.server",
                "scheduler.conf.server",
                "kubelet.conf.server", "kubelet.conf.client.subject",
                "proxy.conf.server",
            ])
        let sans01 = Set(try XCTUnwrap(master01.certificate(named: "apiserver")).subjectAltNames)
        let sans02 = Set(try XCTUnwrap(master02.certificate(named: "apiserver")).subjectAltNames)
        XCTAssertEqual(sans01.subtracting(sans02), [.dns("master01")])
        XCTAssertEqual(sans02.subtracting(sans01), [.dns("master02")])
        XCTAssertEqual(
            master02.kubeconfigs.map(\.server),
            [
                "https://loadbalancer.example.com:6443", "https://loadbalancer.example.com:6443",
                "https://192.168.1.2:6443",
                "https://192.168.1.2:6443", "https://192.168.1.2:6443", "https://192.168.1.2:6443",
            ])
        XCTAssertEqual(master02.kubeconfigs[4].client.subject.description, "CN=system:node:master02,O=system:nodes")
        for name in ["apiserver", "controller-manager.conf", "scheduler.conf", "kubelet.conf", "proxy.conf"] {
            XCTAssertEqual(master01.certificate(named: name)?.scope, .perNode, name)
        }
    }

    // "<entry>.<field>" for every field that differs between two trees of the same shape.
    private static func differences(_ a: PKITree, _ b: PKITree) -> [String] {
        func fields(_ spec: CertificateSpec) -> [(String, AnyHashable?)] {
            [
                ("name", spec.name), ("baseName", spec.baseName), ("issuer", spec.issuer), ("subject", spec.subject),
                ("usage", spec.usage), ("subjectAltNames", spec.subjectAltNames), ("scope", spec.scope),
                ("keyType", spec.keyType), ("validityDays", spec.validityDays),
            ]
        }
        func diff(_ prefix: String, _ x: CertificateSpec, _ y: CertificateSpec) -> [String] {
            zip(fields(x), fields(y)).filter { $0.0.1 != $0.1.1 }.map { "\(prefix).\($0.0.0)" }
        }
        var result: [String] = []
        for (x, y) in zip(a.certificates, b.certificates) { result += diff(x.name, x, y) }
        for (x, y) in zip(a.kubeconfigs, b.kubeconfigs) {
            if x.fileName != y.fileName { result.append("\(x.fileName).fileName") }
            if x.clusterName != y.clusterName { result.append("\(x.fileName).clusterName") }
            if x.server != y.server { result.append("\(x.fileName).server") }
            result += diff("\(x.fileName).client", x.client, y.client)
        }
        return result
    }
}
