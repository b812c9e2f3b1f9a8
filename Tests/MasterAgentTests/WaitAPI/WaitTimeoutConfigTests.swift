import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// `apiServer.waitTimeout`: optional, 5m by default, a Go duration when given.
final class WaitTimeoutConfigTests: XCTestCase {
    private func load(adding line: String?) throws -> ClusterConfig {
        var yaml = try TestSupport.fixtureText("seed-cluster.yaml")
        if let line {
            yaml = yaml.replacingOccurrences(of: "  securePort: 443\n", with: "  securePort: 443\n\(line)\n")
        }
        return try ConfigLoader.load(yaml: yaml, file: "x")
    }

    func testWaitTimeoutDefaultsToFiveMinutes() throws {
        XCTAssertEqual(try load(adding: nil).apiServer.waitTimeout.seconds, 300)
    }

    func testWaitTimeoutIsReadAsADuration() throws {
        let config = try load(adding: "  waitTimeout: 90s")
        XCTAssertEqual(config.apiServer.waitTimeout.seconds, 90)
        XCTAssertEqual(config.apiServer.waitTimeout.text, "90s")
    }

    func testWaitTimeoutThatIsNotADurationIsRejectedWithItsField() throws {
        XCTAssertThrowsError(try load(adding: "  waitTimeout: soon")) { error in
            XCTAssertTrue("\(error)".contains("apiServer.waitTimeout"), "\(error)")
        }
    }
}
