import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime

/// The calls `supervise` and the cluster-tasks step make (CSRs and their approval, a ClusterRoleBinding, Node
/// create and label patch), against the real kube-apiserver and against the API double with its RBAC-like
/// authorization: the answers must be the same.
final class RealSuperviseParityTests: XCTestCase {
    override func setUpWithError() throws {
        try RealControlPlane.skipUnlessAvailable()
    }

    func testTheDoubleAnswersCSRBindingAndNodeCallsAsTheRealServerDoes() throws {
        let server = try RealControlPlane(Self.self, name: "supervise-parity")
        defer { server.stop() }
        let pem = try TestSigningRequests.make(subject: "/O=system:nodes/CN=system:node:master01", sans: "DNS:master01")
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let real = try scenario(base: server.apiURL, server: server, pem: pem, suffix: String(suffix))

        let env = server.env
        let double = try CurlDoubleProcess([
            "--tls-cert", env["REAL_CP_APISERVER_CRT"]!, "--tls-key", env["REAL_CP_APISERVER_KEY"]!,
            "--client-ca", server.caFile, "--require-auth", "--authorize",
        ])
        defer { double.stop() }
        let doubleAnswers = try scenario(base: double.baseURL, server: server, pem: pem, suffix: String(suffix))
        XCTAssertEqual(doubleAnswers.count, real.count)
        for (seenReal, seenDouble) in zip(real, doubleAnswers) {
            XCTAssertEqual(
                seenDouble, seenReal, "the double differs from kube-apiserver \(env["REAL_CP_KUBE_VERSION"] ?? "")")
        }
    }

    /// Each request and what came back: `STEP: STATUS REASON`, plus facts the agent relies on.
    private func scenario(base: String, server: RealControlPlane, pem: Data, suffix: String) throws -> [String] {
        var seen: [String] = []
        var clients: [String: HTTPClient] = [:]
        func send(
            _ who: String, _ method: HTTPMethod, _ path: String, _ body: Any? = nil,
            contentType: String = "application/json"
        ) throws -> (status: Int, json: [String: Any]) {
            let client = try clients[who] ?? HTTPClient(tls: server.tls(who), userAgent: "parity")
            clients[who] = client
            let data: Data? = try body.map {
                try ($0 as? Data) ?? JSONSerialization.data(withJSONObject: $0)
            }
            let response = try client.send(
                HTTPRequest(
                    method: method, url: base + path,
                    headers: ["Content-Type": contentType, "Accept": "application/json"],
                    body: data))
            return (response.status, (try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]) ?? [:])
        }
        @discardableResult
        func record(_ step: String, _ answer: (status: Int, json: [String: Any])) -> [String: Any] {
            let reason = answer.status < 300 ? "" : " \(answer.json["reason"] as? String ?? "-")"
            seen.append("\(step): \(answer.status)\(reason)")
            return answer.json
        }
        let csrs = CertificateSigningRequestObject.collectionPath
        let name = "parity-\(suffix)"
        func csr(signer: String = KubeletServingCSRPolicy.signerName) -> [String: Any] {
            [
                "apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
                "metadata": ["name": name],
                "spec": [
                    "request": pem.base64EncodedString(), "signerName": signer,
                    "usages": ["digital signature", "server auth"], "username": "someone-else",
                ],
            ]
        }
        let created = record("POST CSR as the node", try send("NODE", .post, csrs, csr()))
        let spec = created["spec"] as? [String: Any] ?? [:]
        seen.append("requester from the credentials: \(spec["username"] as? String ?? "-")")
        seen.append("in system:nodes: \((spec["groups"] as? [String])?.contains("system:nodes") == true)")
        record("POST CSR again", try send("NODE", .post, csrs, csr()))
        record("POST CSR without signer", try send("NODE", .post, csrs, csr(signer: "")))
        record("GET missing CSR", try send("ADMIN", .get, "\(csrs)/missing-\(suffix)"))
        let list = record("LIST CSRs", try send("ADMIN", .get, csrs))
        let item = (list["items"] as? [[String: Any]])?.first {
            ($0["metadata"] as? [String: Any])?["name"] as? String == name
        }
        seen.append("listed with a resourceVersion: \((list["metadata"] as? [String: Any])?["resourceVersion"] != nil)")
        let itemJSON = try JSONSerialization.data(withJSONObject: item ?? [:])
        let approval = try CSRApprovalBody.approving(itemJSON, reason: "Parity", message: "parity test")
        record("PUT approval as the node", try send("NODE", .put, "\(csrs)/\(name)/approval", approval))
        let approved = record("PUT approval as admin", try send("ADMIN", .put, "\(csrs)/\(name)/approval", approval))
        let decoded = try JSONDecoder().decode(
            CertificateSigningRequestObject.self, from: JSONSerialization.data(withJSONObject: approved))
        seen.append("decision: \(decoded.decision ?? "none")")
        record("PUT approval at the stale version", try send("ADMIN", .put, "\(csrs)/\(name)/approval", approval))
        var both = approved
        both["status"] = [
            "conditions": [["type": "Approved", "status": "True"], ["type": "Denied", "status": "True"]]
        ]
        record("PUT Approved and Denied", try send("ADMIN", .put, "\(csrs)/\(name)/approval", both))
        record("PUT approval of a missing CSR", try send("ADMIN", .put, "\(csrs)/missing-\(suffix)/approval", approval))

        let bindings = ClusterRoleBindingObject.collectionPath
        let binding = try JSONEncoder().encode(ClusterRoleBindingObject.clusterAdmins)
        record("POST ClusterRoleBinding as nobody", try send("NOBODY", .post, bindings, binding))
        record("POST ClusterRoleBinding", try send("ADMIN", .post, bindings, binding))
        record("POST ClusterRoleBinding again", try send("ADMIN", .post, bindings, binding))
        record("GET ClusterRoleBinding", try send("ADMIN", .get, "\(bindings)/kubeadm:cluster-admins"))

        let node: [String: Any] = [
            "apiVersion": "v1", "kind": "Node", "metadata": ["name": "master01"],
            "status": ["addresses": [["type": "InternalIP", "address": "10.0.0.11"]]],
        ]
        record("GET Node before the kubelet registers", try send("NODE", .get, "/api/v1/nodes/master01"))
        let registered = record("POST Node as the node", try send("NODE", .post, "/api/v1/nodes", node))
        let addresses = (registered["status"] as? [String: Any])?["addresses"] as? [[String: Any]]
        seen.append("create keeps status.addresses: \(addresses?.first?["address"] as? String ?? "-")")
        let patch = try NodeObject.labelPatch([NodeObject.controlPlaneLabel: ""])
        let merge = "application/merge-patch+json"
        let labelled = record(
            "PATCH label", try send("ADMIN", .patch, "/api/v1/nodes/master01", patch, contentType: merge))
        let labels = (labelled["metadata"] as? [String: Any])?["labels"] as? [String: String]
        seen.append("labelled: \(labels?[NodeObject.controlPlaneLabel] == "")")
        let version = (labelled["metadata"] as? [String: Any])?["resourceVersion"] as? String
        let again = record(
            "PATCH label again", try send("ADMIN", .patch, "/api/v1/nodes/master01", patch, contentType: merge))
        seen.append(
            "unchanged PATCH keeps the resourceVersion: \((again["metadata"] as? [String: Any])?["resourceVersion"] as? String == version)"
        )
        record(
            "PATCH missing Node",
            try send("ADMIN", .patch, "/api/v1/nodes/missing-\(suffix)", patch, contentType: merge))
        record("PATCH as application/json", try send("ADMIN", .patch, "/api/v1/nodes/master01", patch))
        record("GET Node as nobody", try send("NOBODY", .get, "/api/v1/nodes/master01"))
        return seen
    }
}
