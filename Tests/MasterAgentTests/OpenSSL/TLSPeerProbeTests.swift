import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

#if canImport(Glibc)
import Glibc
#endif

final class TLSPeerProbeTests: XCTestCase {
    private typealias Support = OpenSSLTestSupport

    /// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
    private func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        var address = loopbackAddress(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        XCTAssertEqual(bound, 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    private func loopbackAddress(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// Starts `openssl s_server` on 127.0.0.1 serving `certificate` + `key` (and `chain`), killed by PID at teardown.
    private func startServer(certificate: Certificate, key: PrivateKey, chain: [Certificate]) throws -> UInt16 {
        let dir = try Support.temporaryDirectory(for: self)
        try Support.write(try certificate.pemData(), "server.crt", in: dir)
        try Support.write(try key.pemData(), "server.key", in: dir)
        try Support.write(try Certificate.pemData(of: chain), "chain.crt", in: dir)
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = [
            "s_server", "-accept", "127.0.0.1:\(port)", "-cert", "server.crt", "-key", "server.key",
            "-cert_chain", "chain.crt", "-www", "-quiet",
        ]
        process.currentDirectoryURL = dir
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        addTeardownBlock {
            kill(pid, SIGTERM)
            process.waitUntilExit()
        }
        // Wait for the external server to listen; this polls a real process, it does not pace the code under test.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if (try? TCPConnector.connect(host: "127.0.0.1", port: Int(port), timeout: .milliseconds(500))) != nil {
                return port
            }
            XCTAssertTrue(process.isRunning, "openssl s_server exited early")
            usleep(20_000)
        }
        XCTFail("openssl s_server did not listen on \(port)")
        return port
    }

    private func apiServer(key name: String = "server") throws -> (ca: CertificateAuthority, port: UInt16) {
        let ca = try Support.rootCA()
        let leaf = try Support.serverCertificate(by: ca, key: name)
        let port = try startServer(certificate: leaf, key: try Support.key(name), chain: [ca.certificate])
        return (ca, port)
    }

    func testProbeReturnsTheServedKeyAndChain() throws {
        let (ca, port) = try apiServer()
        let result = try TLSPeerProbe(trusted: [ca.certificate]).probe(host: "127.0.0.1", port: port)
        XCTAssertEqual(result.publicKeyDER, try Support.key("server").publicKeyDER())
        XCTAssertEqual(result.leaf.subjectCommonName, "kube-apiserver")
        XCTAssertEqual(result.chainSubjects, ["CN=kube-apiserver", "CN=master-agent test CA"])
        XCTAssertTrue(result.protocolVersion.hasPrefix("TLSv1."), result.protocolVersion)
    }

    func testPeerServingAnotherKeyIsVisible() throws {
        let (ca, port) = try apiServer(key: "other-server")
        let result = try TLSPeerProbe(trusted: [ca.certificate]).probe(host: "127.0.0.1", port: port)
        XCTAssertNotEqual(result.publicKeyDER, try Support.key("server").publicKeyDER())
        XCTAssertEqual(result.publicKeyDER, try Support.key("other-server").publicKeyDER())
    }

    func testProbeAgainstWrongCAFailsClosed() throws {
        let (_, port) = try apiServer()
        XCTAssertThrowsError(
            try TLSPeerProbe(trusted: [try Support.otherCA().certificate]).probe(host: "127.0.0.1", port: port)
        ) { error in
            let e = error as? OpenSSLError
            XCTAssertEqual(e?.code, .handshakeFailed)
            XCTAssertEqual(e?.verifyResult?.kind, .untrustedIssuer)
            XCTAssertTrue("\(error)".contains("could not complete TLS handshake with 127.0.0.1:\(port)"), "\(error)")
            XCTAssertTrue("\(error)".contains("certificate verify failed"), "\(error)")
        }
    }

    func testExpectedAddressIsCheckedAgainstTheIPSANs() throws {
        let (ca, port) = try apiServer()
        let probe = TLSPeerProbe(trusted: [ca.certificate])
        XCTAssertNoThrow(try probe.probe(host: "127.0.0.1", port: port, expectedName: "127.0.0.1"))
        XCTAssertNoThrow(try probe.probe(host: "127.0.0.1", port: port, expectedName: "master02.example.com"))
        XCTAssertThrowsError(try probe.probe(host: "127.0.0.1", port: port, expectedName: "192.168.1.9")) { error in
            XCTAssertEqual((error as? OpenSSLError)?.code, .handshakeFailed)
            XCTAssertTrue("\(error)".contains("IP address mismatch"), "\(error)")
        }
    }

    func testClosedPortIsReportedAsConnectionRefused() throws {
        let port = try freePort()
        XCTAssertThrowsError(
            try TLSPeerProbe(trusted: [try Support.rootCA().certificate]).probe(host: "127.0.0.1", port: port)
        ) { error in
            XCTAssertEqual((error as? OpenSSLError)?.code, .connectionRefused, "\(error)")
            XCTAssertTrue("\(error)".contains("Connection refused"), "\(error)")
        }
    }

    func testSilentListenerTimesOutDuringHandshake() throws {
        // The kernel completes the TCP handshake from the backlog, but nothing ever answers the ClientHello.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopbackAddress(port: 0)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        XCTAssertEqual(listen(fd, 4), 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let started = Date()
        let probe = TLSPeerProbe(trusted: [try Support.rootCA().certificate], timeout: 0.3)
        XCTAssertThrowsError(try probe.probe(host: "127.0.0.1", port: UInt16(bigEndian: address.sin_port))) { error in
            XCTAssertEqual((error as? OpenSSLError)?.code, .timedOut, "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 3)
    }

    func testPlainHTTPPeerFailsTheHandshakeWithOpenSSLReason() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopbackAddress(port: 0)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        XCTAssertEqual(listen(fd, 4), 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let served = expectation(description: "plain HTTP answer sent")
        DispatchQueue.global().async {
            let client = accept(fd, nil, nil)
            let answer = Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".utf8)
            _ = write(client, answer, answer.count)
            close(client)
            served.fulfill()
        }
        let probe = TLSPeerProbe(trusted: [try Support.rootCA().certificate], timeout: 5)
        XCTAssertThrowsError(try probe.probe(host: "127.0.0.1", port: UInt16(bigEndian: address.sin_port))) { error in
            XCTAssertEqual((error as? OpenSSLError)?.code, .handshakeFailed, "\(error)")
            XCTAssertTrue("\(error)".contains("Check that the port serves TLS"), "\(error)")
        }
        wait(for: [served], timeout: 5)
    }
}
