import Foundation
import XCTest
@testable import MasterAgent

/// TCPProbe and connect timeouts against plain loopback sockets.
final class TCPProbeTests: XCTestCase {
    private var descriptors: [Int32] = []

    override func tearDown() {
        descriptors.forEach { close($0) }
        descriptors = []
        super.tearDown()
    }

    func testListeningPortIsConnected() throws {
        let port = try listeningPort(backlog: 16)
        XCTAssertEqual(TCPProbe.canConnect(host: "127.0.0.1", port: port, timeout: .seconds(1)), .connected)
    }

    func testClosedPortIsRefused() throws {
        let port = try HTTPClientPlainTests.closedLoopbackPort()
        XCTAssertEqual(TCPProbe.canConnect(host: "127.0.0.1", port: port, timeout: .seconds(1)), .refused)
    }

    // A listener that never accepts and whose queue is full drops further SYNs, so
    // connects to it hang until the caller's timeout: the only loopback-safe way to
    // make a connect time out.
    func testFullAcceptQueueEndsInTimeouts() throws {
        let port = try listeningPort(backlog: 0)
        try fillAcceptQueue(port: port)
        let started = ContinuousClock.now
        XCTAssertEqual(TCPProbe.canConnect(host: "127.0.0.1", port: port, timeout: .milliseconds(200)), .timedOut)

        let client = try HTTPClient(userAgent: "curl-tests")
        XCTAssertThrowsError(try client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/readyz",
                                                         timeout: .seconds(5),
                                                         connectTimeout: .milliseconds(200)))) { error in
            XCTAssertEqual((error as? HTTPClientError)?.code, .timeout, "\(error)")
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(3))
    }

    private func listeningPort(backlog: Int32) throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        descriptors.append(fd)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(fd, pointer, length) == 0, listen(fd, backlog) == 0 else { return -1 }
                return getsockname(fd, pointer, &length)
            }
        }
        guard result == 0 else { throw POSIXError(.EADDRNOTAVAIL) }
        return Int(UInt16(bigEndian: address.sin_port))
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
