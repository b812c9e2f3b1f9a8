import Foundation
import XCTest

@testable import AgentCore

/// `master-agent token generate`: a fresh parseable token each time, or a new 0600 file, never a replaced one.
final class TokenCommandTests: XCTestCase {
    func testGeneratePrintsADifferentValidTokenEachTime() throws {
        let first = try TestSupport.agent(["token", "generate"])
        let second = try TestSupport.agent(["token", "generate"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(first.stderr, "")
        let token = try JoinToken.parse(first.stdout, source: "stdout")
        XCTAssertEqual(token.secret.count, 32, "256 bits")
        XCTAssertNotEqual(first.stdout, second.stdout)
        XCTAssertEqual(first.stdout.split(separator: "\n").count, 1, "one line, nothing else")
    }

    func testOutWritesANewRootOnlyFileAndNeverReplacesOne() throws {
        let root = try TestSupport.makeTemporaryDirectory(self, name: "token")
        let path = root.path + "/etc/master-agent/join-token"
        let result = try TestSupport.agent([
            "token", "generate", "--root", root.path, "--out", "/etc/master-agent/join-token",
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(result.stdout.contains("mat1-"), "the token is not printed when written to a file")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        if geteuid() == 0 { XCTAssertEqual((attributes[.ownerAccountID] as? NSNumber)?.intValue, 0) }
        let written = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertNoThrow(try JoinToken.parse(written, source: path))

        let again = try TestSupport.agent([
            "token", "generate", "--root", root.path, "--out", "/etc/master-agent/join-token",
        ])
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("exists already"), again.stderr)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), written, "never replaced")
    }

    func testTheTokenCannotBeGivenOnTheCommandLine() throws {
        let help = try TestSupport.agent(["bootstrap", "--help"])
        XCTAssertFalse(help.stdout.lowercased().contains("--token"), help.stdout)
        let secretsHelp = try TestSupport.agent(["secrets", "status", "--help"])
        XCTAssertFalse(secretsHelp.stdout.lowercased().contains("--token"), secretsHelp.stdout)
    }
}
