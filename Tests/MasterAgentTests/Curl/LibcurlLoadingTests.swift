import Foundation
import XCTest
@testable import MasterAgent

/// libcurl is opened with dlopen on the first HTTP request, not linked (see Sources/CCurl/include/ccurl.h).
/// These tests pin both halves: commands without HTTP run on a host where libcurl cannot be loaded,
/// and a command that needs it says so plainly instead of crashing.
final class LibcurlLoadingTests: XCTestCase {
    func testBinaryDoesNotLinkLibcurl() throws {
        let dynamic = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/readelf"), ["-d", TestSupport.binary.path])
        XCTAssertEqual(dynamic.status, 0, dynamic.stderr)
        XCTAssertTrue(dynamic.stdout.contains("(NEEDED)"), dynamic.stdout)
        XCTAssertFalse(dynamic.stdout.contains("libcurl"), "libcurl must be dlopened, not linked:\n\(dynamic.stdout)")
    }

    /// Runs the agent in a private mount namespace where libcurl.so.4 is /dev/null (root only; the
    /// host's file is untouched: the bind mount lives and dies with the namespace).
    private func agentWithoutLibcurl(_ arguments: [String]) throws -> TestSupport.ProcessResult {
        try XCTSkipIf(getuid() != 0, "needs root for a private mount namespace (unshare --mount)")
        let library = URL(fileURLWithPath: "/usr/lib/x86_64-linux-gnu/libcurl.so.4").resolvingSymlinksInPath()
        try XCTSkipUnless(FileManager.default.fileExists(atPath: library.path), "no libcurl.so.4 on this host")
        let script = "mount --bind /dev/null \"$1\" || exit 99; shift; exec \"$@\""
        return try TestSupport.run(URL(fileURLWithPath: "/usr/bin/unshare"),
                                   ["--mount", "--propagation", "private", "/bin/sh", "-c", script, "sh", library.path,
                                    TestSupport.binary.path] + arguments)
    }

    func testCommandsWithoutHTTPRunWhenLibcurlCannotBeLoaded() throws {
        let version = try agentWithoutLibcurl(["--version"])
        XCTAssertEqual(version.status, 0, version.stderr)
        XCTAssertEqual(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines), MasterAgentVersion.current)

        let root = try TestSupport.makeTemporaryDirectory(self, name: "nocurl")
        let render = try agentWithoutLibcurl(["render", "--config", TestSupport.fixture("seed-cluster.yaml").path,
                                              "--node", "master01", "--root", root.path])
        XCTAssertEqual(render.status, 0, render.stdout + render.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("etc/kubernetes/manifests/kube-apiserver.yaml").path))
    }

    func testWaitAPISaysLibcurlIsMissingAndHowToInstallIt() throws {
        // Port 1 on the loopback: nothing is contacted, the client fails before its first request.
        let result = try agentWithoutLibcurl(["wait-api", "--url", "http://127.0.0.1:1", "--timeout", "2s"])
        XCTAssertNotEqual(result.status, 99, "the bind mount failed: \(result.stderr)")
        XCTAssertEqual(result.status, ExitStatus.failure.rawValue, result.stdout + result.stderr)
        XCTAssertTrue(result.stderr.contains("libcurl could not be loaded"), result.stderr)
        XCTAssertTrue(result.stderr.contains("libcurl.so.4"), result.stderr)
        XCTAssertTrue(result.stderr.contains("Install the libcurl4 package (apt-get install libcurl4)"), result.stderr)
    }
}
