import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// HTTPClient over plain HTTP against the API double on 127.0.0.1.
final class HTTPClientPlainTests: XCTestCase {
    private var doubles: [CurlDoubleProcess] = []
    private let userAgent = HTTPClient.userAgent(version: "0.0.0-test", nodeName: "master-1")

    override func tearDown() {
        doubles.forEach { $0.stop() }
        doubles = []
        super.tearDown()
    }

    private func startDouble(_ arguments: [String] = []) throws -> CurlDoubleProcess {
        let double = try CurlDoubleProcess(arguments)
        doubles.append(double)
        return double
    }

    private struct Namespace: Codable {
        struct Metadata: Codable {
            var name: String
            var resourceVersion: String?
            var labels: [String: String]?
        }
        var apiVersion = "v1"
        var kind = "Namespace"
        var metadata: Metadata
    }

    func testGetPostPutCarryJSONBothWays() throws {
        let double = try startDouble()
        let client = try HTTPClient(userAgent: userAgent)
        let collection = "\(double.baseURL)/api/v1/namespaces"

        let get = HTTPRequest(url: "\(collection)/default")
        let fetched = try APIError.decode(Namespace.self, from: client.send(get), for: get)
        XCTAssertEqual(fetched.metadata.name, "default")

        let post = try HTTPRequest.json(
            .post, url: collection,
            body: Namespace(metadata: .init(name: "curl-created")))
        let postResponse = try client.send(post)
        XCTAssertEqual(postResponse.status, 201)
        XCTAssertEqual(postResponse.header("Content-Type"), "application/json")
        var created = try APIError.decode(Namespace.self, from: postResponse, for: post)
        XCTAssertEqual(created.metadata.name, "curl-created")

        created.metadata.labels = (created.metadata.labels ?? [:]).merging(["team": "curl"]) { $1 }
        let put = try HTTPRequest.json(.put, url: "\(collection)/curl-created", body: created)
        let updated = try APIError.decode(Namespace.self, from: client.send(put), for: put)
        XCTAssertEqual(updated.metadata.labels?["team"], "curl")
        XCTAssertNotEqual(updated.metadata.resourceVersion, created.metadata.resourceVersion)

        let log = try XCTUnwrap(double.control("log") as? [String: Any])
        let entries = try XCTUnwrap(log["entries"] as? [[String: Any]])
        let ours = entries.filter { ($0["userAgent"] as? String) == "master-agent/0.0.0-test (node master-1)" }
        XCTAssertEqual(ours.compactMap { $0["method"] as? String }, ["GET", "POST", "PUT"])
    }

    func testEmptyPostBodyIsSentAsZeroBytes() throws {
        let double = try startDouble()
        let client = try HTTPClient(userAgent: userAgent)
        let post = HTTPRequest(
            method: .post, url: "\(double.baseURL)/api/v1/namespaces",
            headers: ["Content-Type": "application/json"], timeout: .seconds(5))
        let response = try client.send(post)
        XCTAssertEqual(response.status, 400)
        XCTAssertEqual(KubernetesStatus.decode(from: response.body)?.reason, "BadRequest")
    }

    func testSecondRequestReusesTheKeptAliveConnection() throws {
        let double = try startDouble()
        let client = try HTTPClient(userAgent: userAgent)
        let first = try client.send(HTTPRequest(url: "\(double.baseURL)/readyz"))
        let second = try client.send(HTTPRequest(url: "\(double.baseURL)/api/v1/namespaces/default"))
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.bodyText, "ok")
        XCTAssertEqual(first.timing.newConnections, 1)
        XCTAssertEqual(second.status, 200)
        XCTAssertEqual(second.timing.newConnections, 0)
    }

    func testNotFoundAndAlreadyExistsCarryTheStatusReasonAndMessage() throws {
        let double = try startDouble()
        let client = try HTTPClient(userAgent: userAgent)

        let get = HTTPRequest(url: "\(double.baseURL)/api/v1/namespaces/nope")
        XCTAssertThrowsError(try APIError.check(client.send(get), for: get)) { error in
            let error = error as? APIError
            XCTAssertEqual(error?.code, .httpStatus)
            XCTAssertEqual(error?.statusCode, 404)
            XCTAssertEqual(error?.reason, "NotFound")
            XCTAssertEqual(error?.status?.message, #"namespaces "nope" not found"#)
        }

        let post = try HTTPRequest.json(
            .post, url: "\(double.baseURL)/api/v1/namespaces",
            body: Namespace(metadata: .init(name: "kube-system")))
        XCTAssertThrowsError(try APIError.check(client.send(post), for: post)) { error in
            let error = error as? APIError
            XCTAssertEqual(error?.statusCode, 409)
            XCTAssertEqual(error?.reason, "AlreadyExists")
            XCTAssertEqual(error?.status?.message, #"namespaces "kube-system" already exists"#)
            XCTAssertEqual(error?.description.contains("could not POST \(double.baseURL)/api/v1/namespaces: 409"), true)
        }
    }

    func testClosedPortIsClassifiedConnectionRefused() throws {
        let port = try Self.closedLoopbackPort()
        let client = try HTTPClient(userAgent: userAgent)
        XCTAssertThrowsError(try client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/readyz"))) { error in
            let error = error as? HTTPClientError
            XCTAssertEqual(error?.code, .connectionRefused)
            XCTAssertEqual(error?.url, "http://127.0.0.1:\(port)/readyz")
            XCTAssertEqual(error?.curlCode, 7)
            XCTAssertEqual(error?.curlMessage.isEmpty, false)
        }
        XCTAssertEqual(SystemTCPProbe().canConnect(host: "127.0.0.1", port: port, timeout: .seconds(1)), .refused)
    }

    func testTCPProbeSeesAListeningServer() throws {
        let double = try startDouble()
        XCTAssertEqual(
            SystemTCPProbe().canConnect(host: "127.0.0.1", port: double.port, timeout: .seconds(1)), .connected)
    }

    func testHangingServerEndsInTimeoutWithinTheTotalLimit() throws {
        let double = try startDouble(["--fault", #"{"path":"/readyz","action":"hang"}"#])
        let client = try HTTPClient(userAgent: userAgent)
        let started = ContinuousClock.now
        XCTAssertThrowsError(
            try client.send(
                HTTPRequest(
                    url: "\(double.baseURL)/readyz",
                    timeout: .milliseconds(300)))
        ) { error in
            XCTAssertEqual((error as? HTTPClientError)?.code, .timeout)
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(3))
    }

    func testResetConnectionIsClassifiedConnectionReset() throws {
        let double = try startDouble(["--fault", #"{"path":"/readyz","action":"reset"}"#])
        let client = try HTTPClient(userAgent: userAgent)
        XCTAssertThrowsError(try client.send(HTTPRequest(url: "\(double.baseURL)/readyz"))) { error in
            let error = error as? HTTPClientError
            XCTAssertEqual(error?.code, .connectionReset, "\(String(describing: error))")
        }
    }

    func testGarbageBodyIsClassifiedUnparsable() throws {
        let double = try startDouble(["--fault", #"{"path":"/api/v1/namespaces/default","action":"garbage"}"#])
        let client = try HTTPClient(userAgent: userAgent)
        let get = HTTPRequest(url: "\(double.baseURL)/api/v1/namespaces/default")
        XCTAssertThrowsError(try APIError.decode(Namespace.self, from: client.send(get), for: get)) { error in
            let error = error as? APIError
            XCTAssertEqual(error?.code, .unparsableBody)
            XCTAssertEqual(error?.statusCode, 200)
            XCTAssertEqual(error?.bodyExcerpt.isEmpty, false)
        }
    }

    func testBearerTokenIsReadFromTheFileOnEveryRequest() throws {
        let double = try startDouble(["--require-auth", "--token", "token-one"])
        let tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent("curl-token-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: tokenFile) }
        try "token-one\n".write(to: tokenFile, atomically: true, encoding: .utf8)
        let client = try HTTPClient(tls: HTTPTLSConfig(bearerTokenFile: tokenFile.path), userAgent: userAgent)
        let list = HTTPRequest(url: "\(double.baseURL)/api/v1/namespaces")

        XCTAssertEqual(try client.send(list).status, 200)
        try "rotated-away\n".write(to: tokenFile, atomically: true, encoding: .utf8)
        XCTAssertEqual(try client.send(list).status, 401)

        let anonymous = try HTTPClient(userAgent: userAgent)
        XCTAssertEqual(try anonymous.send(list).status, 403)
    }

    func testMissingTokenFileIsACredentialsError() throws {
        let client = try HTTPClient(
            tls: HTTPTLSConfig(bearerTokenFile: "/nonexistent/curl-token"), userAgent: userAgent)
        XCTAssertThrowsError(try client.send(HTTPRequest(url: "http://127.0.0.1:1/readyz"))) { error in
            XCTAssertEqual((error as? HTTPClientError)?.code, .credentials)
        }
    }

    /// A loopback port nobody listens on: bound by us, then closed.
    static func closedLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(fd, pointer, length) == 0 else { return -1 }
                return getsockname(fd, pointer, &length)
            }
        }
        guard bound == 0 else { throw POSIXError(.EADDRNOTAVAIL) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
