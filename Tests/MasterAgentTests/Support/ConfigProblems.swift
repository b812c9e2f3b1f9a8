import XCTest

@testable import AgentCore

/// Every problem `ConfigLoader` reports for `yaml` (none when it loads); any other error fails the test.
func configProblems(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) -> [ConfigProblem] {
    do {
        _ = try ConfigLoader.load(yaml: yaml, file: "test.yaml")
        return []
    } catch let error as ConfigError {
        return error.problems
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
        return []
    }
}
