import AgentCore
import AgentPlatform
import AgentRuntime
import Foundation
import Glibc

/// Prints progress for people (one line per step or file) or one JSON document for scripts.
struct OutputPrinter {
    let format: OutputFormat

    /// One aligned line: `name  status  message`.
    func line(_ columns: String...) {
        guard format == .text else { return }
        let widths = [14, 16]
        var text = ""
        for (index, column) in columns.enumerated() {
            if index < columns.count - 1, index < widths.count {
                // padding(toLength:) counts UTF-16 units and cuts a longer string, so measure in those units.
                text += column.padding(
                    toLength: max(widths[index], column.utf16.count + 1), withPad: " ", startingAt: 0)
            } else {
                text += column
            }
        }
        print(text)
        fflush(stdout)
    }

    /// Free text for people only.
    func text(_ message: String) {
        guard format == .text else { return }
        print(message)
        fflush(stdout)
    }

    /// Per-file lines under a step, with diffs in dry runs.
    func files(_ reports: [FileReport], indent: String = "  ") {
        guard format == .text else { return }
        for report in reports {
            let detail = report.detail.map { " (\($0))" } ?? ""
            print(
                "\(indent)\(report.action.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0))\(report.path)\(detail)"
            )
            if let diff = report.diff, !diff.isEmpty { print(diff, terminator: "") }
        }
        fflush(stdout)
    }

    /// The JSON document (scripts only).
    func json<T: Encodable>(_ value: T) {
        guard format == .json else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        if let data = try? encoder.encode(value), let text = String(data: data, encoding: .utf8) { print(text) }
        fflush(stdout)
    }
}
