import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// HTTPClient over HTTPS against the API double, with certificates made by the `openssl` CLI.
final class HTTPClientTLSTests: XCTestCase {
    private static var pki: CurlTestCertificates?
    private var doubles: [CurlDoubleProcess] = []
    private let userAgent = HTTPClient.userAgent(version: "0.0.0-test", nodeName: "master-1")

    override class func setUp() {
        super.setUp()
        pki = try? CurlTestCertificates()
    }

    override class func tearDown() {
        pki?.remove()
        pki = nil
        super.tearDown()
    }

    override func tearDown() {
        doubles.forEach { $0.stop() }
        doubles = []
        super.tearDown()
    }

    private func certificates() throws -> CurlTestCertificates {
        try XCTUnwrap(Self.pki, "openssl could not make the test certificates")
    }

    private func startHTTPSDouble(requireClientCert: Bool = false) throws -> CurlDoubleProcess {
        let pki = try certificates()
        var arguments = ["--tls-cert", pki.cert("server"), "--tls-key", pki.key("server")]
        if requireClientCert { arguments += ["--client-ca", pki.cert("client-ca")] }
        let double = try CurlDoubleProcess(arguments)
        doubles.append(double)
        return double
    }

    func testRightCAVerifiesTheServer() throws {
        let double = try startHTTPSDouble()
        XCTAssertTrue(double.baseURL.hasPrefix("https://127.0.0.1:"))
        let client = try HTTPClient(tls: HTTPTLSConfig(caFile: try certificates().cert("ca")), userAgent: userAgent)
        let response = try client.send(HTTPRequest(url: "\(double.baseURL)/readyz"))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.bodyText, "ok")
        XCTAssertGreaterThan(response.timing.tlsHandshake, .zero)
        let again = try client.send(HTTPRequest(url: "\(double.baseURL)/readyz"))
        XCTAssertEqual(again.timing.newConnections, 0)
    }

    func testWrongCAFailsClosedNamingTheVerifyProblem() throws {
        let double = try startHTTPSDouble()
        let client = try HTTPClient(
            tls: HTTPTLSConfig(caFile: try certificates().cert("other-ca")),
            userAgent: userAgent)
        XCTAssertThrowsError(try client.send(HTTPRequest(url: "\(double.baseURL)/readyz"))) { error in
            guard let error = error as? HTTPClientError else { return XCTFail("not an HTTPClientError: \(error)") }
            XCTAssertEqual(error.code, .tls)
            XCTAssertEqual(error.curlCode, 60) // CURLE_PEER_FAILED_VERIFICATION
            XCTAssertEqual(error.tlsVerifyResult, "unable to get local issuer certificate")
            XCTAssertTrue(error.curlMessage.contains("SSL certificate problem"), error.curlMessage)
            XCTAssertTrue(
                error.description.hasPrefix("could not GET \(double.baseURL)/readyz: TLS failed"),
                error.description)
        }
    }

    func testInsecureSkipVerifyAcceptsAnUnknownCAOnlyWhenAsked() throws {
        let double = try startHTTPSDouble()
        let client = try HTTPClient(
            tls: HTTPTLSConfig(
                caFile: try certificates().cert("other-ca"),
                insecureSkipTLSVerify: true), userAgent: userAgent)
        XCTAssertEqual(try client.send(HTTPRequest(url: "\(double.baseURL)/readyz")).status, 200)
    }

    func testClientCertificateIsAcceptedWhenRequired() throws {
        let double = try startHTTPSDouble(requireClientCert: true)
        let pki = try certificates()
        let client = try HTTPClient(
            tls: HTTPTLSConfig(
                caFile: pki.cert("ca"), clientCertFile: pki.cert("client"),
                clientKeyFile: pki.key("client")), userAgent: userAgent)
        let response = try client.send(HTTPRequest(url: "\(double.baseURL)/api/v1/namespaces/default"))
        XCTAssertEqual(response.status, 200)
    }

    // A kubeconfig embeds its CA and client credentials: they reach libcurl as blobs, never as files.
    func testCredentialsHeldInMemoryAuthenticateAsFilesDo() throws {
        let double = try startHTTPSDouble(requireClientCert: true)
        let pki = try certificates()
        func read(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }
        var tls = HTTPTLSConfig()
        tls.caPEM = try read(pki.cert("ca"))
        tls.clientCertificatePEM = try read(pki.cert("client"))
        tls.clientKeyPEM = try read(pki.key("client"))
        let client = try HTTPClient(tls: tls, userAgent: userAgent)
        XCTAssertEqual(try client.send(HTTPRequest(url: "\(double.baseURL)/api/v1/namespaces/default")).status, 200)

        // The in-memory CA is the one checked: a wrong one fails even though the right one is a file.
        var wrongCA = tls
        wrongCA.caFile = pki.cert("ca")
        wrongCA.caPEM = try read(pki.cert("other-ca"))
        let refused = try HTTPClient(tls: wrongCA, userAgent: userAgent)
        XCTAssertThrowsError(try refused.send(HTTPRequest(url: "\(double.baseURL)/readyz"))) { error in
            XCTAssertEqual((error as? HTTPClientError)?.code, .tls, "\(error)")
        }
    }

    func testMissingClientCertificateFailsClosed() throws {
        let double = try startHTTPSDouble(requireClientCert: true)
        let client = try HTTPClient(tls: HTTPTLSConfig(caFile: try certificates().cert("ca")), userAgent: userAgent)
        XCTAssertThrowsError(try client.send(HTTPRequest(url: "\(double.baseURL)/readyz"))) { error in
            guard let error = error as? HTTPClientError else { return XCTFail("not an HTTPClientError: \(error)") }
            // TLS 1.3 servers reject the missing certificate after the client's handshake is done:
            // curl reads either the "certificate required" alert or, when the reset wins, ECONNRESET.
            // A real kube-apiserver races the same way, so both outcomes are valid; neither is success.
            switch error.code {
            case .tls:
                XCTAssertTrue(error.curlMessage.contains("certificate required"), error.curlMessage)
            case .connectionReset:
                XCTAssertTrue(error.description.contains("requires a client certificate"), error.description)
            default:
                XCTFail("unexpected classification: \(error)")
            }
        }
    }
}
