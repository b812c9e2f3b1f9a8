import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

final class SubjectAltNameTests: XCTestCase {
    func testDescriptionUsesOpenSSLConfigPrefixes() {
        XCTAssertEqual(SubjectAltName.dns("kubernetes").description, "DNS:kubernetes")
        XCTAssertEqual(SubjectAltName.ip("10.3.0.1").description, "IP:10.3.0.1")
    }

    func testParsingAcceptsConfigAndOpenSSLTextForms() {
        XCTAssertEqual(SubjectAltName(parsing: "DNS:a.example"), .dns("a.example"))
        XCTAssertEqual(SubjectAltName(parsing: " IP:127.0.0.1 "), .ip("127.0.0.1"))
        XCTAssertEqual(SubjectAltName(parsing: "IP Address:192.168.1.1"), .ip("192.168.1.1"))
        XCTAssertNil(SubjectAltName(parsing: "URI:http://x"))
        XCTAssertNil(SubjectAltName(parsing: "DNS:"))
        XCTAssertNil(SubjectAltName(parsing: "kubernetes"))
    }

    func testSortingPutsNamesBeforeAddressesAndAddressesInNumericOrder() {
        let unsorted: [SubjectAltName] = [
            .ip("192.168.1.2"), .dns("localhost"), .ip("10.3.0.1"), .ip("127.0.0.1"),
            .dns("kubernetes"), .ip("9.0.0.1"),
        ]
        XCTAssertEqual(
            unsorted.sorted(),
            [
                .dns("kubernetes"), .dns("localhost"), .ip("9.0.0.1"), .ip("10.3.0.1"),
                .ip("127.0.0.1"), .ip("192.168.1.2"),
            ])
    }

    func testKeyTypeRawValuesMatchConfigSpelling() {
        XCTAssertEqual(KeyType(rawValue: "rsa-2048"), .rsa2048)
        XCTAssertEqual(KeyType(rawValue: "rsa-4096"), .rsa4096)
        XCTAssertEqual(KeyType(rawValue: "ecdsa-p256"), .ecdsaP256)
        XCTAssertNil(KeyType(rawValue: "rsa-1024"))
    }
}
