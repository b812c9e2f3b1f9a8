/// One thing wrong with a config file: the field path, what is wrong, and the line where known.
package struct ConfigProblem: Equatable, CustomStringConvertible, Sendable {
    /// Field path as written in the file, e.g. `masters[1].address`; "" for the document itself.
    package let path: String
    package let message: String
    package let line: Int?

    package var description: String {
        let location = line.map { " (line \($0))" } ?? ""
        return path.isEmpty ? "\(message)\(location)" : "\(path): \(message)\(location)"
    }
}

/// A config file that cannot be used; carries every problem found, not just the first.
package struct ConfigError: Error, CustomStringConvertible, Sendable {
    package let file: String
    package let problems: [ConfigProblem]

    package var description: String {
        let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
        let lines = problems.map { "  \($0)" }.joined(separator: "\n")
        return
            "invalid configuration \(file) (\(count)); nothing was written. Fix these fields and run again:\n\(lines)"
    }
}
