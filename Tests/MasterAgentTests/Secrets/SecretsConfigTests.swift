import XCTest

@testable import AgentCore

/// The `secrets` section of the config (issue 13): defaults, and every problem reported at once with its line.
final class SecretsConfigTests: XCTestCase {
    private func seed(adding section: String) throws -> String {
        try TestSupport.fixtureText("seed-cluster.yaml") + "\nsecrets:\n" + section
    }

    func testDefaultsKeepTodaysBehaviour() throws {
        let config = try TestSupport.seedConfig()
        XCTAssertEqual(config.secrets.store, .none)
        XCTAssertEqual(config.secrets.tokenFile, "/etc/master-agent/join-token")
        XCTAssertEqual(config.secrets.keyPrefix, "/master-agent")
        XCTAssertEqual(config.secrets.waitTimeout.seconds, 120)
        XCTAssertEqual(config.secretsRecordKey, "/master-agent/kubernetes/secrets")
    }

    func testEveryFieldIsRead() throws {
        let yaml = try seed(
            adding: "  store: etcd\n  tokenFile: /srv/token\n  keyPrefix: /clusters/eu-1\n  waitTimeout: 30s\n")
        let config = try ConfigLoader.load(yaml: yaml, file: "t.yaml")
        XCTAssertEqual(config.secrets.store, .etcd)
        XCTAssertEqual(config.secrets.tokenFile, "/srv/token")
        XCTAssertEqual(config.secrets.waitTimeout.seconds, 30)
        XCTAssertEqual(config.secretsRecordKey, "/clusters/eu-1/kubernetes/secrets")
    }

    func testTheRecordKeyCarriesTheModernClusterName() throws {
        let yaml =
            try TestSupport.fixtureText("modern-cluster.yaml").replacingOccurrences(
                of: "  name: kubernetes\n", with: "  name: prod-eu\n") + "\nsecrets:\n  store: etcd\n"
        let config = try ConfigLoader.load(yaml: yaml, file: "t.yaml")
        XCTAssertEqual(config.secretsRecordKey, "/master-agent/prod-eu/secrets")
    }

    func testAllProblemsAreReportedTogetherWithTheirLines() throws {
        let yaml = try seed(
            adding: "  store: vault\n  tokenFile: join-token\n  keyPrefix: master-agent\n  waitTimeout: soon\n"
                + "  tokenfile: /x\n")
        let problems = configProblems(yaml)
        XCTAssertEqual(
            problems.map(\.path).sorted(),
            ["secrets.keyPrefix", "secrets.store", "secrets.tokenFile", "secrets.tokenfile", "secrets.waitTimeout"],
            "\(problems)")
        XCTAssertTrue(problems.allSatisfy { $0.line != nil }, "\(problems)")
        let messages = problems.map(\.description).joined(separator: "\n")
        XCTAssertTrue(messages.contains("unknown store \"vault\" (known: etcd, none)"), messages)
        XCTAssertTrue(messages.contains("must be an absolute path"), messages)
        XCTAssertTrue(messages.contains("must start with /"), messages)
        XCTAssertTrue(messages.contains("did you mean \"tokenFile\""), messages)
    }

    func testKeyPrefixRules() throws {
        for good in ["/x", "/master-agent", "/a/b_c.d-1"] {
            XCTAssertNil(ConfigLoader.etcdKeyPrefixProblem(good), good)
        }
        let bad: [(String, String)] = [
            ("/", "must start with /"), ("/a/", "must not end with /"), ("/a//b", "empty"), ("/a/../b", "\"..\""),
            ("/a b", "only letters"), ("/ä", "only letters"), ("a", "must start with /"),
        ]
        for (prefix, words) in bad {
            let problem = ConfigLoader.etcdKeyPrefixProblem(prefix)
            XCTAssertTrue(problem?.contains(words) == true, "\(prefix): \(problem ?? "nil")")
        }
    }

    func testControlCharactersInTheTokenPathAreRejected() throws {
        let problems = configProblems(try seed(adding: "  tokenFile: \"/etc/join\\ttoken\"\n"))
        XCTAssertEqual(problems.map(\.path), ["secrets.tokenFile"], "\(problems)")
    }
}
