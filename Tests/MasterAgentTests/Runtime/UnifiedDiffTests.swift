import Foundation
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
        XCTAssertEqual(
            UnifiedDiff.diff(old: old, new: new, oldLabel: "a/x", newLabel: "b/x"),
            """
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
        XCTAssertEqual(
            UnifiedDiff.diff(old: old, new: new, oldLabel: "a", newLabel: "b").components(separatedBy: "@@ -").count
                - 1, 2)
    }

    func testNewFileDiff() {
        XCTAssertEqual(
            UnifiedDiff.diff(old: "", new: "x\ny\n", oldLabel: "/dev/null", newLabel: "b/f"),
            "--- /dev/null\n+++ b/f\n@@ -0,0 +1,2 @@\n+x\n+y\n")
    }

    /// Texts without a final newline, with what `diff -u --label a --label b` printed for them
    /// (diffutils 3.8); `testTableIsWhatDiffPrints` checks the table against the installed diff.
    private static let noFinalNewline: [(name: String, old: String, new: String, diff: String)] = [
        (
            "old without final newline", "l1\nl2\nl3\nl4\nl5", "l1\nl2\nl3\nl4\nl5\nl6\n",
            """
            --- a
            +++ b
            @@ -2,4 +2,5 @@
             l2
             l3
             l4
            -l5
            \\ No newline at end of file
            +l5
            +l6

            """
        ),
        (
            "new without final newline", "l1\nl2\n", "l1\nL2",
            """
            --- a
            +++ b
            @@ -1,2 +1,2 @@
             l1
            -l2
            +L2
            \\ No newline at end of file

            """
        ),
        (
            "both without final newline", "one\ntwo", "one\nthree",
            """
            --- a
            +++ b
            @@ -1,2 +1,2 @@
             one
            -two
            \\ No newline at end of file
            +three
            \\ No newline at end of file

            """
        ),
        (
            "only the final newline removed", "a\nb\nc\nd\n", "a\nb\nc\nd",
            """
            --- a
            +++ b
            @@ -1,4 +1,4 @@
             a
             b
             c
            -d
            +d
            \\ No newline at end of file

            """
        ),
        (
            "only the final newline added", "a\nb", "a\nb\n",
            """
            --- a
            +++ b
            @@ -1,2 +1,2 @@
             a
            -b
            \\ No newline at end of file
            +b

            """
        ),
        ("one-line ranges leave out the count", "x\n", "y\n", "--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n"),
        ("emptied file", "x", "", "--- a\n+++ b\n@@ -1 +0,0 @@\n-x\n\\ No newline at end of file\n"),
    ]

    func testMissingFinalNewlineIsShownAsDiffShowsIt() {
        for test in Self.noFinalNewline {
            XCTAssertEqual(
                UnifiedDiff.diff(old: test.old, new: test.new, oldLabel: "a", newLabel: "b"), test.diff, test.name)
        }
    }

    func testTableIsWhatDiffPrints() throws {
        let diffTool = URL(fileURLWithPath: "/usr/bin/diff")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: diffTool.path), "diffutils is not installed")
        let dir = try TestSupport.makeTemporaryDirectory(self)
        for test in Self.noFinalNewline {
            try test.old.write(to: dir.appendingPathComponent("old"), atomically: true, encoding: .utf8)
            try test.new.write(to: dir.appendingPathComponent("new"), atomically: true, encoding: .utf8)
            let result = try TestSupport.run(
                diffTool, ["-u", "--label", "a", "--label", "b", dir.path + "/old", dir.path + "/new"])
            XCTAssertEqual(result.stdout, test.diff, test.name)
        }
    }

    func testCarriageReturnsStayInsideTheirLines() {
        XCTAssertEqual(
            UnifiedDiff.diff(old: "a\r\nb\r\n", new: "a\r\nc\r\n", oldLabel: "a", newLabel: "b"),
            "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\r\n-b\r\n+c\r\n")
    }
}
