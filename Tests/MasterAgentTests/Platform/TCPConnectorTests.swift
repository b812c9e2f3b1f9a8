import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// TCPConnector, SystemTCPProbe and connect timeouts against plain loopback sockets.
final class TCPConnectorTests: XCTestCase {
    private var descriptors: [Int32] = []

    override func tearDown() {
        descriptors.forEach { close($0) }
        descriptors = []
        super.tearDown()
    }

    func testListeningPortIsConnected() throws {
        let port = try listeningPort(backlog: 16)
        XCTAssertEqual(SystemTCPProbe().canConnect(host: "127.0.0.1", port: port, timeout: .seconds(1)), .connected)
    }

    func testClosedPortIsRefused() throws {
        let port = try HTTPClientPlainTests.closedLoopbackPort()
        XCTAssertEqual(SystemTCPProbe().canConnect(host: "127.0.0.1", port: port, timeout: .seconds(1)), .refused)
    }

    func testRefusedFirstAddressFallsThroughToTheNextOne() throws {
        let closed = try HTTPClientPlainTests.closedLoopbackPort()
        let listening = try listeningPort(backlog: 16)
        let addresses =
            try TCPConnector.resolve(host: "127.0.0.1", port: closed)
            + TCPConnector.resolve(host: "127.0.0.1", port: listening)
        XCTAssertEqual(addresses.count, 2)
        let connection = try TCPConnector.connect(
            to: addresses, target: "two addresses",
            deadline: ContinuousClock.now + .seconds(1))
        var peer = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let status = withUnsafeMutablePointer(to: &peer) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(connection.descriptor, $0, &length) }
        }
        XCTAssertEqual(status, 0)
        XCTAssertEqual(Int(UInt16(bigEndian: peer.sin_port)), listening)
    }

    func testEveryAddressRefusedIsReportedAsRefused() throws {
        let closed = try HTTPClientPlainTests.closedLoopbackPort()
        let addresses =
            try TCPConnector.resolve(host: "127.0.0.1", port: closed)
            + TCPConnector.resolve(host: "127.0.0.1", port: closed)
        XCTAssertThrowsError(
            try TCPConnector.connect(
                to: addresses, target: "127.0.0.1:\(closed)",
                deadline: ContinuousClock.now + .seconds(1))
        ) { error in
            XCTAssertEqual((error as? TCPConnectError)?.code, .refused, "\(error)")
            XCTAssertTrue(
                "\(error)".hasPrefix("could not connect to 127.0.0.1:\(closed): Connection refused"), "\(error)")
        }
    }

    func testConnectedSocketIsBlockingForItsUser() throws {
        let port = try listeningPort(backlog: 16)
        let connection = try TCPConnector.connect(host: "127.0.0.1", port: port, timeout: .seconds(1))
        XCTAssertEqual(fcntl(connection.descriptor, F_GETFL) & O_NONBLOCK, 0)
    }

    // A listener that never accepts and whose queue is full drops further SYNs, so
    // connects to it hang until the caller's timeout: the only loopback-safe way to
    // make a connect time out.
    func testFullAcceptQueueEndsInTimeouts() throws {
        let port = try listeningPort(backlog: 0)
        try fillAcceptQueue(port: port)
        let started = ContinuousClock.now
        XCTAssertEqual(
            SystemTCPProbe().canConnect(host: "127.0.0.1", port: port, timeout: .milliseconds(200)), .timedOut)

        let client = try HTTPClient(userAgent: "curl-tests")
        XCTAssertThrowsError(
            try client.send(
                HTTPRequest(
                    url: "http://127.0.0.1:\(port)/readyz",
                    timeout: .seconds(5),
                    connectTimeout: .milliseconds(200)))
        ) { error in
            XCTAssertEqual((error as? HTTPClientError)?.code, .timeout, "\(error)")
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(3))
    }

    private func listeningPort(backlog: Int32) throws -> Int {
        let (fd, port) = try LoopbackListener.open(backlog: backlog)
        descriptors.append(fd)
        return port
    }

    // Connects (and keeps open) sockets until one no longer completes at once.
    private func fillAcceptQueue(port: Int) throws {
        for _ in 0..<4 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue), 0)
            descriptors.append(fd)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            var waiting = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            if poll(&waiting, 1, 100) == 0 { return }
        }
        throw XCTSkip("the kernel kept accepting connections beyond the listen backlog")
    }
}
