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

/// `config` with every optional text field set and every list non-empty, so `configTextLeaves` counts them all.
func withEveryTextFieldSet(_ config: ClusterConfig) -> ClusterConfig {
    var config = config
    config.apiServer.caFile = "/a"
    config.apiServer.certFile = "/b"
    config.apiServer.keyFile = "/c"
    config.apiServer.tokenFile = "/d"
    config.pki.caKey = "/e"
    config.pki.caCert = "/f"
    config.pki.extraSANs = ["x.example.com"]
    config.kubelet.unitRequires = ["a.service"]
    config.kubelet.unitAfter = ["b.service"]
    config.apiServer.admissionControl = ["x"]
    config.apiServer.clientCAFile = "/g"
    return config
}
