import XCTest

/// Core must stay pure: no C modules, no logging, no process or network access.
final class CorePurityTests: XCTestCase {
    func testCoreImportsOnlyPureModules() throws {
        let core = TestSupport.repoRoot.appendingPathComponent("Sources/MasterAgent/Core")
        let allowed: Set<String> = ["Foundation", "FoundationEssentials"]
        let enumerator = FileManager.default.enumerator(at: core, includingPropertiesForKeys: nil)!
        var checked = 0
        for case let url as URL in enumerator where url.pathExtension == "swift" {
            let text = try String(contentsOf: url, encoding: .utf8)
            for line in text.components(separatedBy: "\n") where line.hasPrefix("import ") || line.hasPrefix("@testable import ") {
                let module = line.components(separatedBy: " ").last!
                XCTAssertTrue(allowed.contains(module), "\(url.lastPathComponent) imports \(module)")
            }
            for banned in ["FileManager", "ProcessInfo", "Date()", "DispatchQueue", "URLSession", ".random("] {
                XCTAssertFalse(text.contains(banned), "\(url.lastPathComponent) uses \(banned)")
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 10)
    }
}
