import Foundation
import XCTest

@testable import AgentPlatform
@testable import AgentRuntime

/// `RootedFileSystem.writeAtomically(_:)`: every file of a batch in place with its mode, or none of them.
final class BatchWriteTests: XCTestCase {
    func testBatchWritesEveryFileWithItsModeAndLeavesNoTemporaryFile() throws {
        let root = try TestSupport.makeTemporaryDirectory(self, name: "batch")
        try FileManager.default.createDirectory(atPath: root.path + "/etc/a", withIntermediateDirectories: true)
        let fs = RootedFileSystem(root: root.path)
        try fs.writeAtomically("/etc/a/old", data: Data("old".utf8), mode: 0o644)
        try fs.writeAtomically([
            FileWrite(path: "/etc/a/key", data: Data("secret".utf8), mode: 0o600),
            FileWrite(path: "/etc/a/old", data: Data("new".utf8), mode: 0o644),
        ])
        XCTAssertEqual(
            try fs.readFile("/etc/a/key"), ExistingFile(data: Data("secret".utf8), mode: 0o600, ownerUID: getuid()))
        XCTAssertEqual(try fs.readFile("/etc/a/old")?.data, Data("new".utf8))
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: root.path + "/etc/a").sorted(), ["key", "old"])
    }

    func testAFailingFileWritesNothing() throws {
        let root = try TestSupport.makeTemporaryDirectory(self, name: "batch-fail")
        try FileManager.default.createDirectory(atPath: root.path + "/etc/a", withIntermediateDirectories: true)
        let fs = RootedFileSystem(root: root.path)
        XCTAssertThrowsError(
            try fs.writeAtomically([
                FileWrite(path: "/etc/a/first", data: Data("1".utf8), mode: 0o600),
                FileWrite(path: "/etc/missing/second", data: Data("2".utf8), mode: 0o600),
            ]))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path + "/etc/a"), [])
    }
}
