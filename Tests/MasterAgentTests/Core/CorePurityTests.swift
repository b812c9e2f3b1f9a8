import XCTest

/// Core must stay pure: no C modules, no logging, no process or network access.
final class CorePurityTests: XCTestCase {
    func testCoreImportsOnlyPureModules() throws {
        let core = TestSupport.repoRoot.appendingPathComponent("Sources/MasterAgent/Core")
        let allowed: Set<String> = ["FoundationEssentials"]
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

    /// Full Foundation (with CoreFoundation and ICU) costs ~4 MB of peak memory at every start, so the
    /// agent uses FoundationEssentials; one `import Foundation` anywhere would bring it all back.
    func testAgentImportsNoFullFoundation() throws {
        let sources = TestSupport.repoRoot.appendingPathComponent("Sources/MasterAgent")
        let enumerator = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!
        for case let url as URL in enumerator where url.pathExtension == "swift" {
            let text = try String(contentsOf: url, encoding: .utf8)
            for line in text.components(separatedBy: "\n") {
                let words = line.split(separator: " ")
                if let index = words.firstIndex(of: "import"), index + 1 < words.count {
                    XCTAssertFalse(["Foundation", "FoundationNetworking", "FoundationXML", "Yams"].contains(String(words[index + 1])),
                                   "\(url.lastPathComponent): \(line)")
                }
            }
        }
        // The built agent proves it: no Foundation, CoreFoundation or ICU library is loaded.
        let ldd = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/ldd"), [TestSupport.binary.path])
        XCTAssertEqual(ldd.status, 0, ldd.stderr)
        XCTAssertTrue(ldd.stdout.contains("FoundationEssentials"), ldd.stdout)
        for library in ["libFoundation.so", "libFoundationInternationalization", "lib_FoundationICU", "libCoreFoundation", "libFoundationNetworking"] {
            XCTAssertFalse(ldd.stdout.contains(library), "the agent loads \(library):\n\(ldd.stdout)")
        }
    }
}
