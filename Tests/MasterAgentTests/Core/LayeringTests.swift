import XCTest

/// The layers are SwiftPM targets, so a wrong-way import does not build (`import AgentPlatform` in
/// AgentCore is a circular dependency; `import CCurl` in AgentRuntime finds no module). These tests
/// hold what the targets' own dependency lists allow: no C module, OS call or clock in Core, no
/// Platform vocabulary in Runtime.
final class LayeringTests: XCTestCase {
    func testCoreImportsOnlyPureModulesAndTouchesNoOS() throws {
        let allowed: Set<String> = ["Foundation", "FoundationEssentials", "Yams"]
        let checked = try forEachSource(in: "Sources/AgentCore") { file, text in
            for module in imports(in: text) {
                XCTAssertTrue(allowed.contains(module), "\(file) imports \(module)")
            }
            for banned in [
                "FileManager", "ProcessInfo", "Date()", "DispatchQueue", "URLSession", ".random(", "geteuid", "Glibc",
            ] {
                XCTAssertFalse(text.contains(banned), "\(file) uses \(banned)")
            }
        }
        XCTAssertGreaterThan(checked, 10)
    }

    func testRuntimeNamesNoPlatformTypeAndCallsNoOS() throws {
        let allowed: Set<String> = [
            "AgentCore", "Foundation", "FoundationEssentials", "Logging", "Dispatch", "Synchronization",
        ]
        let platformTypes = try platformTypeNames()
        XCTAssertTrue(platformTypes.contains("HTTPClientError"), "\(platformTypes)")
        let checked = try forEachSource(in: "Sources/AgentRuntime") { file, text in
            for module in imports(in: text) {
                XCTAssertTrue(allowed.contains(module), "\(file) imports \(module)")
            }
            for banned in ["geteuid", "getpid", "Glibc", "FileManager", "ProcessInfo"] {
                XCTAssertFalse(text.contains(banned), "\(file) uses \(banned)")
            }
            // Code only: a doc comment may say which Platform type implements a port.
            let code = text.components(separatedBy: "\n").filter {
                !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//")
            }
            let words = Set(
                code.joined(separator: "\n").split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init))
            for type in platformTypes.intersection(words) {
                XCTFail("\(file) names the Platform type \(type); use a port's vocabulary instead")
            }
        }
        XCTAssertGreaterThan(checked, 10)
    }

    private func imports(in text: String) -> [String] {
        text.components(separatedBy: "\n").compactMap { line in
            let words = line.split(separator: " ")
            guard let index = words.firstIndex(of: "import"), index + 1 < words.count,
                words[..<index].allSatisfy({ $0.hasPrefix("@") })
            else { return nil }
            return String(words[index + 1])
        }
    }

    // Every top-level type the Platform target declares (package or public), by name.
    private func platformTypeNames() throws -> Set<String> {
        var names: Set<String> = []
        _ = try forEachSource(in: "Sources/AgentPlatform") { _, text in
            for line in text.components(separatedBy: "\n") {
                guard line.hasPrefix("package ") || line.hasPrefix("public ") else { continue }
                let words = line.split(separator: " ").map(String.init)
                if let index = words.firstIndex(where: { ["struct", "class", "enum", "protocol"].contains($0) }),
                    index + 1 < words.count
                {
                    names.insert(String(words[index + 1].prefix { $0.isLetter || $0.isNumber }))
                }
            }
        }
        return names
    }

    private func forEachSource(in directory: String, _ body: (String, String) throws -> Void) throws -> Int {
        let root = TestSupport.repoRoot.appendingPathComponent(directory)
        let enumerator = try XCTUnwrap(FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil))
        var count = 0
        for case let url as URL in enumerator where url.pathExtension == "swift" {
            try body(url.lastPathComponent, try String(contentsOf: url, encoding: .utf8))
            count += 1
        }
        return count
    }
}
