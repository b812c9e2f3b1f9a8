import XCTest
@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

final class UnifiedDiffTests: XCTestCase {
    func testEqualTextsGiveNoDiff() {
        XCTAssertEqual(UnifiedDiff.diff(old: "a\nb\n", new: "a\nb\n", oldLabel: "a", newLabel: "b"), "")
    }

    func testChangeInTheMiddleKeepsThreeLinesOfContext() {
        let old = (1...10).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let new = old.replacingOccurrences(of: "line 5\n", with: "line five\n")
        XCTAssertEqual(UnifiedDiff.diff(old: old, new: new, oldLabel: "a/x", newLabel: "b/x"), """
        --- a/x
        +++ b/x
        @@ -2,7 +2,7 @@
         line 2
         line 3
         line 4
        -line 5
        +line five
         line 6
         line 7
         line 8

        """)
    }

    func testDistantChangesMakeTwoHunks() {
        let old = (1...30).map { "l\($0)" }.joined(separator: "\n") + "\n"
        let new = old.replacingOccurrences(of: "l2\n", with: "L2\n").replacingOccurrences(of: "l28\n", with: "L28\n")
        XCTAssertEqual(UnifiedDiff.diff(old: old, new: new, oldLabel: "a", newLabel: "b").components(separatedBy: "@@ -").count - 1, 2)
    }

    func testNewFileDiff() {
        XCTAssertEqual(UnifiedDiff.diff(old: "", new: "x\ny\n", oldLabel: "/dev/null", newLabel: "b/f"), "--- /dev/null\n+++ b/f\n@@ -0,0 +1,2 @@\n+x\n+y\n")
    }
}
