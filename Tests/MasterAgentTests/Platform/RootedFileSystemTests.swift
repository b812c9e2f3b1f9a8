import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

final class RootedFileSystemTests: XCTestCase {
    func testAtomicWriteSetsExactModeAndLeavesNoTempFile() throws {
        let root = try TestSupport.makeTemporaryDirectory(self)
        let fs = RootedFileSystem(root: root.path)
        XCTAssertTrue(try fs.ensureDirectory("/etc/kubernetes/manifests", mode: 0o700))
        XCTAssertFalse(try fs.ensureDirectory("/etc/kubernetes/manifests", mode: 0o700))
        try fs.writeAtomically("/etc/kubernetes/manifests/a.yaml", data: Data("x".utf8), mode: 0o600)
        let file = try XCTUnwrap(try fs.readFile("/etc/kubernetes/manifests/a.yaml"))
        XCTAssertEqual(file.data, Data("x".utf8))
        XCTAssertEqual(file.mode, 0o600)
        XCTAssertEqual(try fs.listDirectory("/etc/kubernetes/manifests"), ["a.yaml"])
        let attributes = try FileManager.default.attributesOfItem(atPath: root.path + "/etc/kubernetes/manifests")
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o700)
        XCTAssertNil(try fs.readFile("/missing"))
        XCTAssertNil(try fs.listDirectory("/missing"))
    }

    func testReplacingKeepsOtherReadersOnTheOldInode() throws {
        let root = try TestSupport.makeTemporaryDirectory(self)
        let fs = RootedFileSystem(root: root.path)
        try fs.writeAtomically("/f", data: Data("old".utf8), mode: 0o600)
        let reader = try FileHandle(forReadingFrom: root.appendingPathComponent("f"))
        try fs.writeAtomically("/f", data: Data("new".utf8), mode: 0o600)
        XCTAssertEqual(reader.readDataToEndOfFile(), Data("old".utf8), "rename must replace, not truncate in place")
        XCTAssertEqual(try fs.readFile("/f")?.data, Data("new".utf8))
    }

    func testWriteIntoMissingDirectoryFailsWithPathAndCause() {
        let fs = RootedFileSystem(root: "/nonexistent-root-\(UUID().uuidString)")
        XCTAssertThrowsError(try fs.writeAtomically("/a/b", data: Data(), mode: 0o600)) { error in
            XCTAssertTrue("\(error)".hasPrefix("could not write /nonexistent-root-"), "\(error)")
            XCTAssertTrue("\(error)".contains("No such file or directory"), "\(error)")
        }
    }

    func testLockIsExclusiveAndTimesOutClearly() throws {
        let root = try TestSupport.makeTemporaryDirectory(self)
        let path = root.path + "/run/master-agent.lock"
        let first = try FileLock.acquire(path: path, timeout: 1, onWait: {})
        var waited = false
        XCTAssertThrowsError(try FileLock.acquire(path: path, timeout: 0.2, onWait: { waited = true })) { error in
            XCTAssertEqual((error as? FileSystemError)?.code, .lockTimeout)
            XCTAssertTrue("\(error)".contains("another master-agent run held it"))
        }
        XCTAssertTrue(waited)
        first.release()
        XCTAssertNoThrow(try FileLock.acquire(path: path, timeout: 0.2, onWait: {}))
    }
}
