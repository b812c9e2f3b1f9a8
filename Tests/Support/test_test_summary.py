"""Tests for scripts/test-summary (how scripts/test judges a swift test run): run with
    python3 -m unittest discover -s Tests/Support -p 'test_*.py'
Each case feeds it XCTest output as swift-corelibs-xctest prints it (copied from real runs) and an exit status."""

import os
import subprocess
import sys
import tempfile
import unittest

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "test-summary")

HEAD = """\
[0/1] Planning build
Test Suite 'All tests' started at 2026-12-06 04:45:59.341
Test Suite 'debug.xctest' started at 2026-12-06 04:45:59.414
"""


def case(name, result, before=""):
    return "Test Case '%s' started at 2026-12-06 04:45:59.414\n%sTest Case '%s' %s (0.007 seconds)\n" % (
        name, before, name, result)


def tail(executed, failures, skipped=0, outer="All tests", verdict="passed"):
    with_skipped = "with %d test%s skipped and " % (skipped, "" if skipped == 1 else "s") if skipped else "with "
    summary = "\t Executed %d test%s, %s%d failure%s (%d unexpected) in 0.008 (0.008) seconds\n" % (
        executed, "" if executed == 1 else "s", with_skipped, failures, "" if failures == 1 else "s", 0)
    return ("Test Suite 'ATests' %s at 2026-12-06 04:45:59.423\n" % verdict + summary
            + "Test Suite '%s' %s at 2026-12-06 04:45:59.423\n" % (outer, verdict) + summary
            + "\u25c7 Test run started.\n\u2714 Test run with 0 tests in 0 suites passed after 0.001 seconds.\n")


SKIP = "/r/Tests/T.swift:43: ATests.testNeedsRoot : Test skipped - needs root: boots a real systemd\n"
SKIP_IF = ("/r/Tests/T.swift:53: ATests.testDeb : Test skipped: required true value but got false - "
           "MASTER_AGENT_SKIP_DEB=1: the .deb is not built or tested\n")


class TestSummaryTests(unittest.TestCase):
    def judge(self, output, status=0, strict=False):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write(output)
        self.addCleanup(os.unlink, f.name)
        proc = subprocess.run([sys.executable, SCRIPT, f.name, "--status", str(status)] + (["--strict"] if strict else []),
                              capture_output=True, text=True, timeout=30)
        lines = proc.stdout.splitlines()
        self.assertEqual(len(lines), 1, "exactly one line on stdout: %r" % proc.stdout)
        return proc.returncode, lines[0], proc.stderr

    def test_all_passed(self):
        code, closing, err = self.judge(HEAD + case("ATests.testA", "passed") + case("ATests.testB", "passed") + tail(2, 0))
        self.assertEqual((code, closing, err), (0, "tests: 2 passed, 0 failed, 0 skipped", ""))

    def test_skips_pass_and_are_named_with_their_reasons_unless_strict(self):
        output = (HEAD + case("ATests.testA", "passed") + case("ATests.testNeedsRoot", "skipped", SKIP)
                  + case("ATests.testDeb", "skipped", SKIP_IF) + tail(3, 0, skipped=2))
        code, closing, err = self.judge(output)
        self.assertEqual((code, closing), (0, "tests: 1 passed, 0 failed, 2 skipped"))
        self.assertIn("ATests.testNeedsRoot: needs root: boots a real systemd", err)
        self.assertIn("ATests.testDeb: MASTER_AGENT_SKIP_DEB=1: the .deb is not built or tested", err)
        code, closing, err = self.judge(output, strict=True)
        self.assertEqual((code, closing), (1, "tests: 1 passed, 0 failed, 2 skipped"))
        self.assertIn("ATests.testNeedsRoot: needs root", err)
        self.assertIn("2 test(s) skipped; with CI=true or as root every test must run", err)

    def test_failed_tests_are_counted_once_however_many_assertions_failed(self):
        failing = ("/r/T.swift:6: error: ATests.testB : XCTAssertEqual failed: (\"1\") is not equal to (\"2\")\n"
                   "/r/T.swift:7: error: ATests.testB : failed - boom\n")
        code, closing, err = self.judge(HEAD + case("ATests.testA", "passed") + case("ATests.testB", "failed", failing)
                                        + tail(2, 2, verdict="failed"), status=1)
        self.assertEqual((code, closing), (1, "tests: 1 passed, 1 failed, 0 skipped"))
        self.assertIn("ATests.testB: XCTAssertEqual failed", err)

    def test_a_crash_names_the_unfinished_test_and_fails(self):
        output = (HEAD + case("ATests.testA", "passed")
                  + "Test Case 'ATests.testCrash' started at 2026-12-06 04:53:49.277\n"
                  + "Swift/ContiguousArrayBuffer.swift:692: Fatal error: Index out of range\n"
                  + "*** Program crashed: Illegal instruction at 0x00007fc88cd6df7f ***\n")
        code, closing, err = self.judge(output, status=1)
        self.assertEqual((code, closing), (1, "tests: 1 passed, 1 failed, 0 skipped"))
        self.assertIn("never finished", err)
        self.assertIn("ATests.testCrash", err)
        self.assertIn("no summary", err)

    def test_a_class_summary_is_not_taken_for_the_runs(self):
        # The process died after one class ended: its summary must not stand for the run's.
        output = (HEAD + case("ATests.testA", "passed") + "Test Suite 'ATests' passed at 2026-12-06 04:45:59.423\n"
                  + "\t Executed 1 test, with 0 failures (0 unexpected) in 0.008 (0.008) seconds\n")
        code, closing, err = self.judge(output, status=1)
        self.assertEqual((code, closing), (1, "tests: 1 passed, 0 failed, 0 skipped"))
        self.assertIn("no summary", err)

    def test_a_nonzero_exit_status_is_not_hidden(self):
        code, closing, err = self.judge(HEAD + case("ATests.testA", "passed") + tail(1, 0), status=1)
        self.assertEqual((code, closing), (1, "tests: 1 passed, 0 failed, 0 skipped"))
        self.assertIn("swift test exited 1", err)

    def test_counts_that_disagree_with_the_summary_fail(self):
        code, _, err = self.judge(HEAD + case("ATests.testA", "passed") + tail(2, 0))
        self.assertEqual(code, 1)
        self.assertIn("disagrees", err)

    def test_a_failure_outside_any_test_fails(self):
        code, closing, err = self.judge(HEAD + case("ATests.testA", "passed") + tail(1, 1, verdict="failed"), status=1)
        self.assertEqual((code, closing), (1, "tests: 1 passed, 0 failed, 0 skipped"))
        self.assertIn("outside any test case", err)

    def test_a_filtered_run_uses_the_selected_tests_summary(self):
        output = HEAD.replace("All tests", "Selected tests") + case("ATests.testA", "passed") + tail(1, 0, outer="Selected tests")
        self.assertEqual(self.judge(output)[:2], (0, "tests: 1 passed, 0 failed, 0 skipped"))

    def test_no_test_at_all_fails(self):
        code, closing, err = self.judge("error: no tests found; create a target in the 'Tests' directory\n", status=1)
        self.assertEqual((code, closing), (1, "tests: 0 passed, 0 failed, 0 skipped"))
        self.assertIn("no test ran", err)


if __name__ == "__main__":
    unittest.main()
