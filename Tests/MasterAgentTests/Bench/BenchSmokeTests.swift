import Foundation
import XCTest

/// `scripts/bench --smoke` with the binary under test: every benchmark of BENCHMARKS.md still runs (a few
/// runs each, about 30 s). Figures are not judged here: benchmarks are not timed tests.
final class BenchSmokeTests: XCTestCase {
    func testBenchSmokeRunsEveryBenchmarkAndWritesNothing() throws {
        // The converged-rerun benchmark boots a real systemd, like the sandbox tests.
        if let reason = SystemdSandbox.unavailableReason { throw XCTSkip(reason) }
        let script = TestSupport.repoRoot.appendingPathComponent("scripts/bench")
        let markdown = TestSupport.repoRoot.appendingPathComponent("BENCHMARKS.md")
        let before = try? Data(contentsOf: markdown)

        let result = try TestSupport.run(
            URL(fileURLWithPath: "/usr/bin/python3"),
            [script.path, "--smoke", "--binary", TestSupport.binary.path], timeout: 180)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        for title in [
            "1. API readiness detection", "2. Converged rerun in a real systemd", "3. Fresh bootstrap, excluding waits",
            "4. Leader failover", "5. Footprint",
        ] {
            XCTAssertTrue(result.stdout.contains("== \(title)"), "\(title) missing:\n\(result.stdout)")
        }
        XCTAssertFalse(result.stdout.contains("COULD NOT RUN"), result.stdout)
        XCTAssertEqual(try? Data(contentsOf: markdown), before, "--smoke must not rewrite BENCHMARKS.md")
    }
}
