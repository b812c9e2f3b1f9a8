import CCurl
import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// Pure checks of how libcurl results and HTTP responses become errors.
final class HTTPErrorClassificationTests: XCTestCase {
    func testCurlResultsMapToCodes() {
        let table: [(CURLcode, Int32, Bool, HTTPClientError.Code)] = [
            (CURLE_COULDNT_CONNECT, ECONNREFUSED, false, .connectionRefused),
            (CURLE_COULDNT_CONNECT, EHOSTUNREACH, false, .transport),
            (CURLE_OPERATION_TIMEDOUT, 0, true, .timeout),
            (CURLE_COULDNT_RESOLVE_HOST, 0, false, .dnsFailure),
            (CURLE_PEER_FAILED_VERIFICATION, 0, true, .tls),
            (CURLE_SSL_CONNECT_ERROR, 0, true, .tls),
            (CURLE_SSL_CERTPROBLEM, 0, true, .tls),
            (CURLE_RECV_ERROR, ECONNRESET, false, .connectionReset),
            (CURLE_RECV_ERROR, 0, true, .tls),
            (CURLE_RECV_ERROR, 0, false, .transport),
            (CURLE_SEND_ERROR, EPIPE, true, .connectionReset),
            (CURLE_GOT_NOTHING, 0, false, .connectionReset),
            (CURLE_URL_MALFORMAT, 0, false, .setup),
            (CURLE_WEIRD_SERVER_REPLY, 0, false, .transport),
        ]
        for (result, osErrno, isHTTPS, expected) in table {
            XCTAssertEqual(
                HTTPClientError.classify(result, osErrno: osErrno, isHTTPS: isHTTPS), expected,
                "CURLcode \(result.rawValue) errno \(osErrno) https \(isHTTPS)")
        }
    }

    func testClientErrorDescriptionKeepsCurlWordsURLAndVerifyResult() {
        let error = HTTPClientError(
            code: .tls, method: "GET", url: "https://127.0.0.1:6443/readyz", curlCode: 60,
            curlMessage: "SSL certificate problem: unable to get local issuer certificate",
            tlsVerifyResult: "unable to get local issuer certificate", osErrno: 0)
        XCTAssertEqual(
            error.description,
            "could not GET https://127.0.0.1:6443/readyz: TLS failed (curl 60: SSL certificate problem: "
                + "unable to get local issuer certificate); certificate verify result: unable to get local "
                + "issuer certificate. Check the CA file (--cacert), the client certificate and key, and the "
                + "server's certificate names.")
    }

    func testNotFoundStatusBodyIsDecodedIntoAPIError() throws {
        let body =
            #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"namespaces \"nope\" not found","reason":"NotFound","details":{"name":"nope","kind":"namespaces"},"code":404}"#
        let request = HTTPRequest(url: "http://127.0.0.1:8080/api/v1/namespaces/nope")
        let response = HTTPResponse(
            status: 404, headers: ["content-type": "application/json"],
            body: Data(body.utf8), timing: Self.zeroTiming)
        XCTAssertThrowsError(try APIError.check(response, for: request)) { error in
            guard let error = error as? APIError else { return XCTFail("not an APIError: \(error)") }
            XCTAssertEqual(error.code, .httpStatus)
            XCTAssertEqual(error.statusCode, 404)
            XCTAssertEqual(error.reason, "NotFound")
            XCTAssertEqual(
                error.status?.details, KubernetesStatus.Details(name: "nope", group: nil, kind: "namespaces"))
            XCTAssertEqual(
                error.description,
                #"could not GET http://127.0.0.1:8080/api/v1/namespaces/nope: 404 NotFound namespaces "nope" not found. "#
                    + "Check the URL and that the server serves this API.")
        }
    }

    func testNonStatusErrorBodyIsQuotedUpTo200Characters() {
        let body = String(repeating: "[-]informer-sync failed: reason withheld\n", count: 20)
        let request = HTTPRequest(url: "http://127.0.0.1:8080/readyz")
        let response = HTTPResponse(status: 500, headers: [:], body: Data(body.utf8), timing: Self.zeroTiming)
        let error = APIError(httpStatusOf: response, for: request)
        XCTAssertNil(error.status)
        XCTAssertEqual(error.bodyExcerpt.count, 200)
        XCTAssertTrue(
            error.description.hasPrefix("could not GET http://127.0.0.1:8080/readyz: 500 [-]informer-sync failed"))
    }

    func testJSONThatIsNotAStatusIsNotTakenForOne() {
        XCTAssertNil(KubernetesStatus.decode(from: Data(#"{"kind":"Namespace","apiVersion":"v1"}"#.utf8)))
        XCTAssertNil(KubernetesStatus.decode(from: Data("ok".utf8)))
    }

    func testUndecodableSuccessBodyIsClassifiedUnparsable() {
        struct Namespace: Decodable { var kind: String }
        let request = HTTPRequest(url: "http://127.0.0.1:8080/api/v1/namespaces/default")
        let response = HTTPResponse(
            status: 200, headers: [:], body: Data("<html>not json".utf8),
            timing: Self.zeroTiming)
        XCTAssertThrowsError(try APIError.decode(Namespace.self, from: response, for: request)) { error in
            XCTAssertEqual((error as? APIError)?.code, .unparsableBody)
            XCTAssertEqual((error as? APIError)?.bodyExcerpt, "<html>not json")
        }
    }

    static let zeroTiming = HTTPResponse.Timing(
        total: .zero, nameLookup: .zero, connect: .zero, tlsHandshake: .zero,
        firstByte: .zero, newConnections: 0)
}
