import Foundation
import XCTest
@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
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

    /// Runs the agent in a private mount namespace where the file the loader finds for libcurl.so.4
    /// is /dev/null (root only; the host's file is untouched: the bind mount lives and dies with the
    /// namespace). Exit 98 if libcurl could still be loaded there, 99 if the mount failed.
    private func agentWithoutLibcurl(_ arguments: [String]) throws -> TestSupport.ProcessResult {
        try XCTSkipIf(getuid() != 0, "needs root for a private mount namespace (unshare --mount)")
        // The path the dynamic loader uses, from its own cache.
        let cache = try TestSupport.run(URL(fileURLWithPath: "/sbin/ldconfig"), ["-p"]).stdout
        let entry = try XCTUnwrap(cache.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("libcurl.so.4 ") },
                                  "no libcurl.so.4 in the loader cache")
        let library = URL(fileURLWithPath: String(entry.split(separator: ">").last!).trimmingCharacters(in: .whitespaces))
            .resolvingSymlinksInPath()
        let script = """
            mount --bind /dev/null "$1" || exit 99; shift
            python3 -c 'import ctypes; ctypes.CDLL("libcurl.so.4")' 2>/dev/null && exit 98
            exec "$@"
            """
        let result = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/unshare"),
                                         ["--mount", "--propagation", "private", "/bin/sh", "-c", script, "sh", library.path,
                                          TestSupport.binary.path] + arguments)
        XCTAssertNotEqual(result.status, 99, "the bind mount over \(library.path) failed: \(result.stderr)")
        XCTAssertNotEqual(result.status, 98, "libcurl.so.4 still loads with \(library.path) hidden")
        return result
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
        XCTAssertEqual(result.status, ExitStatus.failure.rawValue, result.stdout + result.stderr)
        XCTAssertTrue(result.stderr.contains("libcurl could not be loaded"), result.stderr)
        // dlerror's own words (the hidden file is empty), not only the advice that names the file.
        XCTAssertTrue(result.stderr.contains("file too short"), result.stderr)
        XCTAssertTrue(result.stderr.contains("Install the libcurl4 package (apt-get install libcurl4)"), result.stderr)
    }
}
