import Foundation
import Logging
import Synchronization
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime

/// One approver against the API double in this process: what a pass approves, what it leaves pending, that each
/// reason is logged once, and that a failed approval is retried on the next pass.
final class CSRApproverTests: XCTestCase {
    func testApprovesTheGoodLogsEachPendingReasonOnceAndRetriesAFailedApproval() throws {
        let double = try CurlDoubleProcess([
            "--token", "node1,system:node:worker-1,u1,system:nodes", "--token",
            "node9,system:node:worker-9,u9,system:nodes", "--token", "nodem,system:node:master01,um,system:nodes",
        ])
        defer { double.stop() }
        let recorded = RecordedLog()
        let logger = recorded.logger()
        let client = KubernetesAPIClient(
            transport: try HTTPClient(userAgent: "approver-tests"), baseURL: double.baseURL)
        let config = try ConfigLoader.load(
            yaml: try TestSupport.fixtureText("modern-cluster.yaml"), file: "modern-cluster.yaml")
        let approver = CSRApprover(client: client, reader: OpenSSLToolkit(), masters: config.masters, logger: logger)

        let http = try HTTPClient(userAgent: "approver-tests")
        func post(_ path: String, token: String, _ body: [String: Any]) throws {
            let response = try http.send(
                HTTPRequest(
                    method: .post, url: double.baseURL + path,
                    headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
                    body: try JSONSerialization.data(withJSONObject: body)))
            XCTAssertEqual(response.status, 201, response.bodyText)
        }
        func csr(_ name: String, token: String, subject: String, sans: String) throws {
            let pem = try TestSigningRequests.make(subject: subject, sans: sans)
            try post(
                CertificateSigningRequestObject.collectionPath, token: token,
                [
                    "metadata": ["name": name],
                    "spec": [
                        "request": pem.base64EncodedString(), "signerName": KubeletServingCSRPolicy.signerName,
                        "usages": ["digital signature", "server auth"],
                    ],
                ])
        }
        try post(
            "/api/v1/nodes", token: "node1",
            [
                "metadata": ["name": "worker-1"],
                "status": ["addresses": [["type": "InternalIP", "address": "10.0.0.11"]]],
            ])
        try csr("good", token: "node1", subject: "/O=system:nodes/CN=system:node:worker-1", sans: "IP:10.0.0.11")
        try csr(
            "nobody-knows", token: "node9", subject: "/O=system:nodes/CN=system:node:worker-9", sans: "DNS:worker-9")
        // master01 has no Node yet: the config's names for it are enough, but only for master01 itself.
        try csr(
            "master-ok", token: "nodem", subject: "/O=system:nodes/CN=system:node:master01",
            sans: "DNS:master01.example.com,IP:192.168.1.1")
        try csr(
            "master", token: "node1", subject: "/O=system:nodes/CN=system:node:worker-1",
            sans: "DNS:master01.example.com")

        let first = try approver.pass()
        XCTAssertEqual(first.approved, ["good", "master-ok"])
        XCTAssertEqual(
            first.leftPending,
            [
                "nobody-knows": "there is no Node worker-9 to check the requested names against",
                "master": "DNS:master01.example.com is not an address Node worker-1 reports or the config lists for it",
            ])

        // The approval of the next one fails once (500): logged, retried on the next pass.
        try double.control(
            "faults", method: .post,
            body: [
                "path": "\(CertificateSigningRequestObject.collectionPath)/retried/approval", "method": "PUT",
                "action": "status", "status": 500, "count": 1,
            ])
        try csr("retried", token: "node1", subject: "/O=system:nodes/CN=system:node:worker-1", sans: "IP:10.0.0.11")
        let second = try approver.pass()
        XCTAssertEqual(second.approved, [])
        XCTAssertEqual(second.leftPending.count, 2)
        XCTAssertEqual(try approver.pass().approved, ["retried"])

        let pendingLines = recorded.all.filter { $0.contains("left a certificate signing request pending") }
        XCTAssertEqual(pendingLines.count, 2, "each reason once over three passes: \(pendingLines)")
        XCTAssertEqual(
            recorded.all.filter { $0.contains("could not approve a certificate signing request") }.count, 1)
        XCTAssertEqual(recorded.all.filter { $0.contains("approved a kubelet serving certificate request") }.count, 3)
    }
}
