/// One thing wrong with a config file: the field path, what is wrong, and the line where known.
struct ConfigProblem: Equatable, CustomStringConvertible, Sendable {
    /// Field path as written in the file, e.g. `masters[1].address`; "" for the document itself.
    let path: String
    let message: String
    let line: Int?

    var description: String {
        let location = line.map { " (line \($0))" } ?? ""
        return path.isEmpty ? "\(message)\(location)" : "\(path): \(message)\(location)"
    }
}

/// A config file that cannot be used; carries every problem found, not just the first.
struct ConfigError: Error, CustomStringConvertible, Sendable {
    let file: String
    let problems: [ConfigProblem]

    var description: String {
        let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
        let lines = problems.map { "  \($0)" }.joined(separator: "\n")
        return "invalid configuration \(file) (\(count)); nothing was written. Fix these fields and run again:\n\(lines)"
    }
}
