import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

final class NodeIdentifierTests: XCTestCase {
    private let masters = [
        ClusterConfig.Master(name: "master01", dnsName: "master01.example.com", address: IPv4Address("192.168.1.1")!),
        ClusterConfig.Master(name: "master02", dnsName: "master02.example.com", address: IPv4Address("192.168.1.2")!),
    ]

    private func identify(_ name: String? = nil, hostname: String? = nil, addresses: [String] = []) throws -> String {
        try NodeIdentifier.identify(
            masters: masters, explicitName: name, hostname: hostname,
            localAddresses: addresses.compactMap(IPv4Address.init)
        ).name
    }

    func testExplicitNodeWins() throws {
        XCTAssertEqual(try identify("master02", hostname: "master01", addresses: ["192.168.1.1"]), "master02")
        XCTAssertEqual(try identify("master02.example.com"), "master02")
    }

    func testUnknownExplicitNodeListsCandidates() {
        XCTAssertThrowsError(try identify("master03")) { error in
            let error = error as! NodeIdentifier.IdentifyError
            XCTAssertEqual(error.code, .unknownNodeName)
            XCTAssertTrue(error.message.contains("master01 (master01.example.com, 192.168.1.1)"))
        }
    }

    func testHostnameMatchesNameDNSNameOrShortName() throws {
        XCTAssertEqual(try identify(hostname: "master02"), "master02")
        XCTAssertEqual(try identify(hostname: "master02.example.com"), "master02")
        XCTAssertEqual(try identify(hostname: "MASTER01.other.domain"), "master01")
    }

    func testAddressUsedWhenHostnameMatchesNothing() throws {
        XCTAssertEqual(try identify(hostname: "builder", addresses: ["127.0.0.1", "192.168.1.2"]), "master02")
    }

    func testNoMatchAndSeveralMatchesAreErrors() {
        XCTAssertThrowsError(try identify(hostname: "builder", addresses: ["127.0.0.1"])) {
            XCTAssertEqual(($0 as! NodeIdentifier.IdentifyError).code, .noMatch)
            XCTAssertTrue("\($0)".contains("master02"))
        }
        XCTAssertThrowsError(try identify(hostname: "builder", addresses: ["192.168.1.1", "192.168.1.2"])) {
            XCTAssertEqual(($0 as! NodeIdentifier.IdentifyError).code, .ambiguous)
        }
    }
}
