/// A unified diff of two texts (line based, 3 lines of context), for `--dry-run`, laid out as `diff -u`
/// prints it: a count of 1 is left out of a hunk range, and a last line without a newline is followed by
/// `\ No newline at end of file`, so a change of only the final newline still shows as a hunk.
package enum UnifiedDiff {
    /// The diff from `old` to `new` under the given labels; "" when they are equal.
    package static func diff(old: String, new: String, oldLabel: String, newLabel: String, context: Int = 3) -> String {
        if old == new { return "" }
        let a = lines(old), b = lines(new)
        let ops = editScript(a, b)
        var out = ["--- \(oldLabel)", "+++ \(newLabel)"]
        // Group ops into hunks that keep `context` equal lines around each change.
        var index = 0
        while index < ops.count {
            guard let firstChange = ops[index...].firstIndex(where: { $0.kind != .equal }) else { break }
            let start = max(firstChange - context, index)
            var end = firstChange
            var lastChange = firstChange
            while end < ops.count {
                if ops[end].kind != .equal { lastChange = end }
                if end - lastChange > context * 2 { break }
                end += 1
            }
            let stop = min(lastChange + context + 1, ops.count)
            let hunk = ops[start..<stop]
            let oldStart = hunk.first { $0.kind != .insert }?.oldIndex ?? (hunk.first?.oldIndex ?? 0)
            let newStart = hunk.first { $0.kind != .delete }?.newIndex ?? (hunk.first?.newIndex ?? 0)
            let oldCount = hunk.filter { $0.kind != .insert }.count
            let newCount = hunk.filter { $0.kind != .delete }.count
            out.append("@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@")
            for op in hunk {
                switch op.kind {
                case .equal: out += a[op.oldIndex].printed(as: " ")
                case .delete: out += a[op.oldIndex].printed(as: "-")
                case .insert: out += b[op.newIndex].printed(as: "+")
                }
            }
            index = stop
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// A hunk range as diff -u writes it: "start,count", just "start" for one line, the line before for none.
    private static func range(_ start: Int, _ count: Int) -> String {
        switch count {
        case 0: return "\(start),0"
        case 1: return "\(start + 1)"
        default: return "\(start + 1),\(count)"
        }
    }

    /// One line and whether a newline ends it: "x" at the end of a file differs from "x\n".
    private struct Line: Equatable {
        let text: String
        let endsWithNewline: Bool

        /// The line after its one-character prefix, plus diff's marker when no newline ends it.
        func printed(as prefix: String) -> [String] {
            let line = prefix + text
            return endsWithNewline ? [line] : [line, "\\ No newline at end of file"]
        }
    }

    // Split on "\n" scalars, not Characters: "\r\n" is one Character and would hide the line break.
    private static func lines(_ text: String) -> [Line] {
        var parts = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
        let endsWithNewline = parts.last?.isEmpty ?? true
        if endsWithNewline { parts.removeLast() }
        return parts.enumerated().map { index, part in
            Line(text: String(part), endsWithNewline: endsWithNewline || index < parts.count - 1)
        }
    }

    private struct Op {
        package enum Kind { case equal, delete, insert }
        package let kind: Kind
        package let oldIndex: Int
        package let newIndex: Int
    }

    // Longest-common-subsequence table; our files are a few hundred lines, so O(n*m) is fine.
    private static func editScript(_ a: [Line], _ b: [Line]) -> [Op] {
        let n = a.count, m = b.count
        var table = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var ops: [Op] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, a[i] == b[j] {
                ops.append(Op(kind: .equal, oldIndex: i, newIndex: j)); i += 1; j += 1
            } else if i < n, j == m || table[i + 1][j] >= table[i][j + 1] {
                // Deletions first, as diff(1) prints them.
                ops.append(Op(kind: .delete, oldIndex: i, newIndex: j)); i += 1
            } else {
                ops.append(Op(kind: .insert, oldIndex: i, newIndex: j)); j += 1
            }
        }
        return ops
    }
}
