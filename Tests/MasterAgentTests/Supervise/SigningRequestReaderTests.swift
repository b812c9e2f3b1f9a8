import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform

/// OpenSSL reads what the approval rules need from requests the `openssl` CLI made.
final class SigningRequestReaderTests: XCTestCase {
    func testReadsSubjectNamesAndKeyAlgorithm() throws {
        let pem = try TestSigningRequests.make(
            subject: "/O=system:nodes/O=extra/CN=system:node:worker-1",
            sans: "DNS:worker-1,IP:10.0.0.11,email:a@example.com,URI:spiffe://x")
        let facts = try OpenSSLToolkit().readSigningRequest(pem)
        XCTAssertEqual(facts.commonName, "system:node:worker-1")
        XCTAssertEqual(facts.organizations, ["system:nodes", "extra"])
        XCTAssertEqual(facts.subjectAltNames, [.dns("worker-1"), .ip("10.0.0.11")])
        XCTAssertEqual(facts.otherSubjectAltNameKinds, ["email", "URI"])
        XCTAssertEqual(facts.keyAlgorithm, .ecdsa)

        let rsa = try OpenSSLToolkit().readSigningRequest(
            try TestSigningRequests.make(subject: "/CN=x", sans: "", key: .rsa))
        XCTAssertEqual(rsa.keyAlgorithm, .rsa)
        XCTAssertEqual(rsa.organizations, [])
        XCTAssertEqual(rsa.subjectAltNames, [])
    }

    func testRejectsWhatIsNotARequestOrIsTampered() throws {
        XCTAssertThrowsError(try OpenSSLToolkit().readSigningRequest(Data("not a request".utf8)))
        // Flip one byte inside the base64 body: it either no longer parses or its signature fails.
        var text = String(decoding: try TestSigningRequests.make(subject: "/CN=x", sans: "DNS:x"), as: UTF8.self)
        let lines = text.split(separator: "\n").map(String.init)
        var middle = Array(lines[3])
        middle[10] = middle[10] == "A" ? "B" : "A"
        text = (lines[0..<3] + [String(middle)] + lines[4...]).joined(separator: "\n") + "\n"
        XCTAssertThrowsError(try OpenSSLToolkit().readSigningRequest(Data(text.utf8)))
    }
}
