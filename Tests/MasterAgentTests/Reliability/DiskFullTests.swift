import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// Writing into a tmpfs that is full leaves the old file intact and says ENOSPC plainly.
final class DiskFullTests: XCTestCase {
    func testFullFilesystemKeepsOldFileAndReportsENOSPC() throws {
        guard geteuid() == 0 else { throw XCTSkip("mounting a tmpfs needs root (CI runs as root)") }
        let work = try TestSupport.makeTemporaryDirectory(self, name: "diskfull")
        let mountPoint = work.path + "/small"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        XCTAssertEqual(
            try TestSupport.run(
                URL(fileURLWithPath: "/bin/mount"), ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mountPoint]
            ).status, 0)
        defer { _ = try? TestSupport.run(URL(fileURLWithPath: "/bin/umount"), [mountPoint]) }
        let seed = TestSupport.fixture("seed-cluster.yaml").path
        XCTAssertEqual(
            try TestSupport.agent(["render", "--config", seed, "--node", "master01", "--root", mountPoint]).status, 0)
        let target = mountPoint + "/etc/kubernetes/manifests/kube-apiserver.yaml"
        let before = try XCTUnwrap(FileManager.default.contents(atPath: target))

        // Fill the filesystem to the last byte.
        let filler = FileHandle(
            forWritingAtPath: {
                _ = FileManager.default.createFile(atPath: mountPoint + "/filler", contents: nil);
                return mountPoint + "/filler"
            }())!
        let chunk = Data(repeating: 0x41, count: 4096)
        while (try? filler.write(contentsOf: chunk)) != nil {}
        try? filler.close()

        let edited = work.path + "/edited.yaml"
        try String(contentsOfFile: seed, encoding: .utf8).replacingOccurrences(
            of: "v1.2.2_coreos.0", with: "v1.2.3_coreos.0"
        ).write(toFile: edited, atomically: true, encoding: .utf8)
        let result = try TestSupport.agent(["render", "--config", edited, "--node", "master01", "--root", mountPoint])
        XCTAssertEqual(result.status, ExitStatus.failure.rawValue)
        XCTAssertTrue(result.stderr.contains("No space left on device (ENOSPC)"), result.stderr)
        XCTAssertEqual(FileManager.default.contents(atPath: target), before, "the old manifest must survive")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: mountPoint + "/etc/kubernetes/manifests")
            .filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [], "a failed write must not leave its temp file")
    }
}
