import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

final class NetworkValueTests: XCTestCase {
    func testIPv4ParsingIsStrict() {
        for good in ["0.0.0.0", "127.0.0.1", "255.255.255.255", "10.3.0.2"] {
            XCTAssertEqual(IPv4Address(good)?.description, good)
        }
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "a.b.c.d", "1.2.3.-4", " 1.2.3.4", "::1"] {
            XCTAssertNil(IPv4Address(bad), bad)
        }
    }

    func testCIDRDerivedAddresses() throws {
        let cidr = try IPv4CIDR(parsing: "10.3.0.0/24")
        XCTAssertEqual(cidr.firstHostAddress.description, "10.3.0.1")
        XCTAssertEqual(cidr.lastAddress.description, "10.3.0.255")
        XCTAssertTrue(cidr.contains(IPv4Address("10.3.0.200")!))
        XCTAssertFalse(cidr.contains(IPv4Address("10.3.1.0")!))
        XCTAssertThrowsError(try IPv4CIDR(parsing: "10.3.0.1/24")) {
            XCTAssertEqual($0 as? IPv4CIDR.ParseError, .hostBitsSet(network: IPv4Address("10.3.0.0")!))
        }
        for bad in ["10.3.0.0", "10.3.0.0/", "10.3.0.0/33", "10.3.0.0/-1", "x/24"] {
            XCTAssertThrowsError(try IPv4CIDR(parsing: bad), bad)
        }
    }

    func testDurations() {
        XCTAssertEqual(ConfigDuration("60s")?.seconds, 60)
        XCTAssertEqual(ConfigDuration("5m")?.seconds, 300)
        XCTAssertEqual(ConfigDuration("1h30m")?.seconds, 5400)
        XCTAssertEqual(ConfigDuration("500ms")?.seconds, 0.5)
        for bad in ["", "60", "5 m", "m", "1d", "-1s"] { XCTAssertNil(ConfigDuration(bad), bad) }
    }

    func testDNSNames() {
        XCTAssertTrue(DNSName.isValid("master01.example.com"))
        for bad in ["", "Master", "a..b", "-a", "a-", "a_b", String(repeating: "a", count: 64)] {
            XCTAssertFalse(DNSName.isValid(bad), bad)
        }
    }
}
