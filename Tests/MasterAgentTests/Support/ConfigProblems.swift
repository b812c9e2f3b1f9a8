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

/// How many text values (`String`s and durations) `value` holds, found by reflection: what
/// `RenderedValueCheck.textFields` must cover, so a field added to the model cannot be left out.
func configTextLeaves(_ value: Any) -> Int {
    if value is String || value is ConfigDuration { return 1 }
    return Mirror(reflecting: value).children.reduce(0) { $0 + configTextLeaves($1.value) }
}
