import XCTest

@testable import AgentCore

/// The approval rules on hand-made requests: one good request, then each forgery changes one thing.
final class KubeletServingCSRPolicyTests: XCTestCase {
    private let nodeNames: [SubjectAltName] = [.dns("worker-1"), .ip("10.0.0.11")]

    private func csr(
        signer: String = "kubernetes.io/kubelet-serving", user: String = "system:node:worker-1",
        groups: [String] = ["system:nodes", "system:authenticated"],
        usages: [String] = ["digital signature", "server auth"]
    ) -> CertificateSigningRequestObject {
        CertificateSigningRequestObject(
            metadata: ObjectMeta(name: "csr-1"),
            spec: .init(request: "", signerName: signer, usages: usages, username: user, groups: groups))
    }

    private func facts(
        cn: String = "system:node:worker-1", o: [String] = ["system:nodes"],
        sans: [SubjectAltName] = [.dns("worker-1"), .ip("10.0.0.11")], others: [String] = [],
        key: CertificateRequestFacts.KeyAlgorithm = .ecdsa
    ) -> CertificateRequestFacts {
        CertificateRequestFacts(
            commonName: cn, organizations: o, subjectAltNames: sans, otherSubjectAltNameKinds: others,
            keyAlgorithm: key)
    }

    private func reason(_ verdict: KubeletServingCSRPolicy.Verdict) -> String {
        if case .leavePending(let reason) = verdict { return reason }
        XCTFail("approved: \(verdict)")
        return ""
    }

    func testGoodECDSAAndRSARequestsAreApproved() {
        XCTAssertEqual(
            KubeletServingCSRPolicy.decide(csr(), request: facts(), knownNames: nodeNames), .approve(node: "worker-1"))
        let rsaUsages = ["digital signature", "key encipherment", "server auth"]
        XCTAssertEqual(
            KubeletServingCSRPolicy.decide(csr(usages: rsaUsages), request: facts(key: .rsa), knownNames: nodeNames),
            .approve(node: "worker-1"))
        // DNS names compare without case; a subset of the known names is fine.
        XCTAssertEqual(
            KubeletServingCSRPolicy.decide(csr(), request: facts(sans: [.dns("Worker-1")]), knownNames: nodeNames),
            .approve(node: "worker-1"))
    }

    func testWrongSignerIsLeftPending() {
        let verdict = KubeletServingCSRPolicy.decide(
            csr(signer: "kubernetes.io/kube-apiserver-client"), request: facts(), knownNames: nodeNames)
        XCTAssertEqual(
            reason(verdict), "signer is kubernetes.io/kube-apiserver-client, not kubernetes.io/kubelet-serving")
    }

    func testRequesterWhoDiffersFromTheCommonNameIsLeftPending() {
        let verdict = KubeletServingCSRPolicy.decide(
            csr(user: "system:node:worker-2"), request: facts(), knownNames: nodeNames)
        XCTAssertEqual(
            reason(verdict), "the request's CN system:node:worker-1 is not the requester system:node:worker-2")
    }

    func testNotANodeIsLeftPending() {
        XCTAssertEqual(
            reason(
                KubeletServingCSRPolicy.decide(csr(user: "kubernetes-admin"), request: facts(), knownNames: nodeNames)),
            "requester kubernetes-admin is not a node (system:node:<name>)")
        XCTAssertEqual(
            reason(
                KubeletServingCSRPolicy.decide(
                    csr(groups: ["system:authenticated"]), request: facts(), knownNames: nodeNames)),
            "requester system:node:worker-1 is not in group system:nodes")
        XCTAssertEqual(
            reason(KubeletServingCSRPolicy.decide(csr(), request: facts(o: ["system:masters"]), knownNames: nodeNames)),
            "the request's O is [system:masters], not [system:nodes]")
        XCTAssertEqual(
            reason(KubeletServingCSRPolicy.decide(csr(), request: facts(), knownNames: nil)),
            "there is no Node worker-1 to check the requested names against")
    }

    func testExtraSubjectAltNameIsLeftPending() {
        let verdict = KubeletServingCSRPolicy.decide(
            csr(), request: facts(sans: [.dns("worker-1"), .dns("kubernetes.default"), .ip("10.96.0.1")]),
            knownNames: nodeNames)
        XCTAssertEqual(
            reason(verdict),
            "DNS:kubernetes.default, IP:10.96.0.1 is not an address Node worker-1 reports or the config lists for it")
        XCTAssertEqual(
            reason(KubeletServingCSRPolicy.decide(csr(), request: facts(others: ["email"]), knownNames: nodeNames)),
            "the request asks for a email subjectAltName; only DNS names and IPs are approved")
        XCTAssertEqual(
            reason(KubeletServingCSRPolicy.decide(csr(), request: facts(sans: []), knownNames: nodeNames)),
            "the request names no DNS name or IP")
    }

    func testClientAuthUsageIsLeftPending() {
        let verdict = KubeletServingCSRPolicy.decide(
            csr(usages: ["digital signature", "server auth", "client auth"]), request: facts(), knownNames: nodeNames)
        XCTAssertEqual(
            reason(verdict),
            "usages are [digital signature, server auth, client auth], not exactly [digital signature, server auth]")
        XCTAssertEqual(
            reason(
                KubeletServingCSRPolicy.decide(
                    csr(usages: ["digital signature", "server auth", "server auth"]), request: facts(key: .rsa),
                    knownNames: nodeNames)),
            "usages are [digital signature, server auth, server auth], not exactly [digital signature, key encipherment, server auth]"
        )
    }

    func testKeyEnciphermentOnAnECDSAKeyIsLeftPending() {
        let verdict = KubeletServingCSRPolicy.decide(
            csr(usages: ["digital signature", "key encipherment", "server auth"]), request: facts(key: .ecdsa),
            knownNames: nodeNames)
        XCTAssertEqual(reason(verdict), "usage key encipherment asked for a ECDSA key: key encipherment (RSA only)")
    }

    func testUnreadableRequestIsLeftPending() {
        XCTAssertEqual(
            reason(KubeletServingCSRPolicy.decide(csr(), request: nil, knownNames: nodeNames)),
            "spec.request is not a PKCS#10 request whose signature verifies")
    }

    func testConfiguredMasterNamesAndNodeAddressesAreKnownNames() throws {
        let master = ClusterConfig.Master(
            name: "master01", dnsName: "master01.example.com", address: try XCTUnwrap(IPv4Address("192.168.1.1")))
        XCTAssertEqual(
            KubeletServingCSRPolicy.configuredNames(of: master),
            [.dns("master01"), .dns("master01.example.com"), .ip("192.168.1.1")])
        let node = NodeObject(
            apiVersion: "v1", kind: "Node", metadata: ObjectMeta(name: "worker-1"),
            status: .init(addresses: [
                .init(type: "InternalIP", address: "10.0.0.11"), .init(type: "Hostname", address: "worker-1"),
                .init(type: "ExternalDNS", address: "w1.example.com"), .init(type: "Weird", address: "x"),
            ]))
        XCTAssertEqual(node.subjectAltNames, [.ip("10.0.0.11"), .dns("worker-1"), .dns("w1.example.com")])
    }

    func testApprovalBodyKeepsEveryFieldAndAppendsTheCondition() throws {
        let item =
            #"{"metadata":{"name":"csr-1","resourceVersion":"7","annotations":{"a":"b"},"finalizers":["f"]},"spec":{"request":"eA==","signerName":"kubernetes.io/kubelet-serving","extra":{"k":["v"]}},"status":{}}"#
        let body = try CSRApprovalBody.approving(Data(item.utf8), reason: "R", message: "M")
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: body) as? [String: Any])
        XCTAssertEqual(object["apiVersion"] as? String, "certificates.k8s.io/v1")
        XCTAssertEqual(object["kind"] as? String, "CertificateSigningRequest")
        let meta = try XCTUnwrap(object["metadata"] as? [String: Any])
        XCTAssertEqual(meta["resourceVersion"] as? String, "7")
        XCTAssertEqual(meta["finalizers"] as? [String], ["f"])
        XCTAssertNotNil((object["spec"] as? [String: Any])?["extra"])
        let conditions = try XCTUnwrap((object["status"] as? [String: Any])?["conditions"] as? [[String: String]])
        XCTAssertEqual(conditions, [["type": "Approved", "status": "True", "reason": "R", "message": "M"]])
        let decoded = try JSONDecoder().decode(CertificateSigningRequestObject.self, from: body)
        XCTAssertEqual(decoded.decision, "Approved")
    }
}
