import Foundation
import Logging
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

final class FileSynchronizerTests: XCTestCase {
    private let logger = Logger(label: "test")
    private func file(_ path: String, _ content: String) -> RenderedFile {
        RenderedFile(path: path, content: content, mode: 0o600, kind: .manifest)
    }

    func testCreatesThenLeavesUnchangedFilesAlone() throws {
        let store = InMemoryFileStore()
        let sync = FileSynchronizer(store: store, dryRun: false, logger: logger)
        XCTAssertEqual(try sync.sync([file("/m/a.yaml", "a: 1\n")]).map(\.action), [.created])
        XCTAssertEqual(try sync.sync([file("/m/a.yaml", "a: 1\n")]).map(\.action), [.unchanged])
        XCTAssertEqual(store.writes, ["/m/a.yaml"])
        XCTAssertEqual(try sync.sync([file("/m/a.yaml", "a: 2\n")]).map(\.action), [.updated])
        XCTAssertEqual(store.writes.count, 2)
    }

    func testWrongModeIsRepairedWithoutContentChange() throws {
        let store = InMemoryFileStore()
        store.files["/m/a.yaml"] = ExistingFile(data: Data("a: 1\n".utf8), mode: 0o644, ownerUID: geteuid())
        let reports = try FileSynchronizer(store: store, dryRun: false, logger: logger).sync([
            file("/m/a.yaml", "a: 1\n")
        ])
        XCTAssertEqual(reports.first?.action, .updated)
        XCTAssertEqual(reports.first?.detail, "mode 0644 -> 0600")
        XCTAssertEqual(store.files["/m/a.yaml"]?.mode, 0o600)
    }

    func testDryRunWritesNothingAndShowsTheDiff() throws {
        let store = InMemoryFileStore()
        store.files["/m/a.yaml"] = ExistingFile(data: Data("a: 1\nb: 2\n".utf8), mode: 0o600, ownerUID: geteuid())
        let reports = try FileSynchronizer(store: store, dryRun: true, logger: logger).sync([
            file("/m/a.yaml", "a: 1\nb: 3\n"), file("/m/new.yaml", "x\n"),
        ])
        XCTAssertEqual(store.writes, [])
        XCTAssertEqual(reports.map(\.action), [.updated, .created])
        XCTAssertEqual(reports[0].diff, "--- a/m/a.yaml\n+++ b/m/a.yaml\n@@ -1,2 +1,2 @@\n a: 1\n-b: 2\n+b: 3\n")
        XCTAssertTrue(reports[1].diff!.contains("--- /dev/null"))
    }

    func testDirectoryIsCreatedWithItsModeAndAWrongModeIsReportedNotChanged() throws {
        let store = InMemoryFileStore()
        let audit = RenderedDirectory(path: "/var/log/kubernetes/audit", mode: 0o700)
        let dry = try FileSynchronizer(store: store, dryRun: true, logger: logger).ensureDirectory(audit)
        XCTAssertEqual(dry, FileReport(path: audit.path, action: .created, detail: "directory, mode 0700"))
        XCTAssertTrue(store.directories.isEmpty, "a dry run creates nothing")
        let sync = FileSynchronizer(store: store, dryRun: false, logger: logger)
        XCTAssertEqual(try sync.ensureDirectory(audit).action, .created)
        XCTAssertEqual(try store.attributes(audit.path)?.mode, 0o700)
        XCTAssertEqual(try sync.ensureDirectory(audit), FileReport(path: audit.path, action: .unchanged))
        store.directoryModes[audit.path] = 0o755
        let report = try sync.ensureDirectory(audit)
        XCTAssertEqual(report.action, .unchanged)
        XCTAssertEqual(report.detail, "directory mode 0755, expected 0700; left as it is (chmod 0700 it)")
        XCTAssertEqual(store.directoryModes[audit.path], 0o755)
        store.files["/var/log/k"] = ExistingFile(data: Data(), mode: 0o600, ownerUID: 0)
        XCTAssertThrowsError(try sync.ensureDirectory(RenderedDirectory(path: "/var/log/k", mode: 0o700))) {
            XCTAssertEqual(
                "\($0)",
                "could not create /var/log/k: it is not a directory; remove it so the agent can create the directory")
        }
    }

    func testLeftoverTemporaryFilesAreRemoved() throws {
        let store = InMemoryFileStore()
        store.files["/m/.master-agent.kube-apiserver.yaml.123.456.tmp"] = ExistingFile(
            data: Data("half".utf8), mode: 0o600, ownerUID: 0)
        store.files["/m/.keep"] = ExistingFile(data: Data(), mode: 0o600, ownerUID: 0)
        let reports = try FileSynchronizer(store: store, dryRun: false, logger: logger).removeLeftoverTemporaryFiles(
            in: "/m")
        XCTAssertEqual(reports.map(\.path), ["/m/.master-agent.kube-apiserver.yaml.123.456.tmp"])
        XCTAssertNotNil(store.files["/m/.keep"])
    }

    func testLegacyNamedDuplicateOfOurPodIsRemoved() throws {
        let store = InMemoryFileStore()
        let ours = file(
            "/m/kube-apiserver.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-apiserver\n  namespace: kube-system\n")
        store.files["/m/kube-apiserver"] = ExistingFile(
            data: Data("kind: Pod\nmetadata: {name: kube-apiserver, namespace: kube-system}\n".utf8), mode: 0o644,
            ownerUID: 0)
        store.files["/m/other-pod"] = ExistingFile(
            data: Data("kind: Pod\nmetadata: {name: etcd, namespace: kube-system}\n".utf8), mode: 0o644, ownerUID: 0)
        store.files["/m/notes.txt"] = ExistingFile(data: Data(": not yaml [".utf8), mode: 0o644, ownerUID: 0)
        let sync = FileSynchronizer(store: store, dryRun: false, logger: logger)
        _ = try sync.sync([ours])
        let removed = try sync.removeDuplicatePods(of: [ours], in: "/m")
        XCTAssertEqual(removed.map(\.path), ["/m/kube-apiserver"])
        XCTAssertTrue(removed[0].detail!.contains("kube-system/kube-apiserver"))
        XCTAssertNil(store.files["/m/kube-apiserver"])
        XCTAssertNotNil(store.files["/m/other-pod"])
        XCTAssertNotNil(store.files["/m/notes.txt"])
    }

    func testFailedWriteStopsWithTheErrnoText() {
        let store = InMemoryFileStore()
        store.failingWrite = ("/m/b.yaml", ENOSPC)
        XCTAssertThrowsError(
            try FileSynchronizer(store: store, dryRun: false, logger: logger).sync([
                file("/m/a.yaml", "a"), file("/m/b.yaml", "b"),
            ])
        ) { error in
            XCTAssertTrue("\(error)".contains("No space left on device (ENOSPC)"), "\(error)")
        }
        XCTAssertNotNil(store.files["/m/a.yaml"])
    }
}
