import Yams

/// Collects config problems while a YAML document is read, so one run reports all of them.
package final class ProblemCollector {
    package private(set) var problems: [ConfigProblem] = []

    /// Records `message` for `path`, located at `node` when there is one.
    package func add(_ path: String, _ message: String, at node: Node?) {
        problems.append(ConfigProblem(path: path, message: message, line: node?.mark?.line))
    }

    /// Records a problem found outside any field, such as a document limit.
    package func add(_ problem: ConfigProblem) {
        problems.append(problem)
    }
}

/// Reads one YAML mapping of the config, knowing its field path, rejecting keys it does not know.
package struct YAMLFieldReader {
    package let path: String
    package let node: Node?
    package let problems: ProblemCollector
    private let entries: [String: Node]

    /// Reads `node` (which must be a mapping) at `path`; any key outside `keys` is reported as unknown.
    package init(path: String, node: Node?, keys: [String], problems: ProblemCollector) {
        self.path = path
        self.node = node
        self.problems = problems
        var entries: [String: Node] = [:]
        if case .mapping(let mapping)? = node {
            // Yams keeps every pair of a mapping, so a repeated key is still there to report.
            for (key, value) in mapping {
                guard let name = key.scalar?.string else {
                    // Printing the node could mean printing megabytes; the line is enough to find it.
                    problems.add(path, "has a list or mapping as a key; keys are plain field names", at: key)
                    continue
                }
                if !keys.contains(name) {
                    let suggestion =
                        YAMLFieldReader.closest(to: name, in: keys).map { " (did you mean \"\($0)\"?)" } ?? ""
                    problems.add(YAMLFieldReader.join(path, name), "unknown field\(suggestion)", at: key)
                } else if entries[name] != nil {
                    problems.add(YAMLFieldReader.join(path, name), "appears more than once", at: key)
                } else {
                    entries[name] = value
                }
            }
        } else if let node, !YAMLFieldReader.isNull(node) {
            problems.add(path, "must be a mapping of fields", at: node)
        }
        self.entries = entries
    }

    package static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// True for a YAML null: an explicit `!!null`, or a plain scalar Yams's resolver reads as null
    /// (empty, `~`, `null`, `Null`, `NULL`).
    package static func isNull(_ node: Node) -> Bool {
        if case .scalar = node { return node.tag == Tag(.null) }
        return false
    }

    /// The value of `key`, nil when absent or null.
    package func value(_ key: String) -> Node? {
        guard let node = entries[key], !YAMLFieldReader.isNull(node) else { return nil }
        return node
    }

    /// True when the mapping itself is present.
    package var isPresent: Bool { node.map { !YAMLFieldReader.isNull($0) } ?? false }

    package func fieldPath(_ key: String) -> String { YAMLFieldReader.join(path, key) }

    private func reportMissing(_ key: String) {
        problems.add(fieldPath(key), "is required", at: node)
    }

    /// A nested mapping at `key` with its own known keys.
    package func section(_ key: String, keys: [String]) -> YAMLFieldReader {
        YAMLFieldReader(path: fieldPath(key), node: value(key), keys: keys, problems: problems)
    }

    /// A string scalar; reports a missing required field or a non-scalar value.
    package func string(_ key: String, required: Bool = true) -> String? {
        guard let node = value(key) else {
            if required { reportMissing(key) }
            return nil
        }
        guard case .scalar(let scalar) = node else {
            problems.add(fieldPath(key), "must be a single value, not a list or mapping", at: node)
            return nil
        }
        if YAMLFieldReader.isBlank(scalar.string) {
            problems.add(fieldPath(key), "must not be empty", at: node)
            return nil
        }
        return scalar.string
    }

    /// A whole number within `range`.
    package func integer(_ key: String, default defaultValue: Int? = nil, range: ClosedRange<Int>) -> Int? {
        guard let node = value(key) else {
            if defaultValue == nil { reportMissing(key) }
            return defaultValue
        }
        guard case .scalar(let scalar) = node, let number = Int(scalar.string) else {
            problems.add(fieldPath(key), "\(YAMLFieldReader.quoted(node)) is not a whole number", at: node)
            return nil
        }
        guard range.contains(number) else {
            problems.add(
                fieldPath(key), "\(number) is out of range (\(range.lowerBound) to \(range.upperBound))", at: node)
            return nil
        }
        return number
    }

    /// A list of non-empty strings; each bad item is reported with its index.
    package func stringList(_ key: String, required: Bool = true, default defaultValue: [String]? = nil) -> [String]? {
        guard let node = value(key) else {
            if required && defaultValue == nil { reportMissing(key) }
            return defaultValue
        }
        guard case .sequence(let sequence) = node else {
            problems.add(fieldPath(key), "must be a list", at: node)
            return nil
        }
        var items: [String] = []
        var failed = false
        for (index, item) in sequence.enumerated() {
            if case .scalar(let scalar) = item, !YAMLFieldReader.isBlank(scalar.string) {
                items.append(scalar.string)
            } else {
                problems.add("\(fieldPath(key))[\(index)]", "must be a non-empty string", at: item)
                failed = true
            }
        }
        if required && items.isEmpty && !failed {
            problems.add(fieldPath(key), "must list at least one entry", at: node)
            return nil
        }
        return failed ? nil : items
    }

    /// The items of a list of mappings, each read with `keys`.
    package func mappingList(_ key: String, keys: [String]) -> [YAMLFieldReader]? {
        guard let node = value(key) else {
            reportMissing(key)
            return nil
        }
        guard case .sequence(let sequence) = node else {
            problems.add(fieldPath(key), "must be a list", at: node)
            return nil
        }
        return sequence.enumerated().map { index, item in
            YAMLFieldReader(path: "\(fieldPath(key))[\(index)]", node: item, keys: keys, problems: problems)
        }
    }

    /// An IPv4 address in dotted-quad form.
    package func ipv4(_ key: String, required: Bool = true, default defaultValue: IPv4Address? = nil) -> IPv4Address? {
        guard let text = string(key, required: required && defaultValue == nil) else {
            return value(key) == nil ? defaultValue : nil
        }
        guard let address = IPv4Address(text) else {
            problems.add(fieldPath(key), "\"\(text)\" is not an IPv4 address", at: value(key))
            return nil
        }
        return address
    }

    /// An IPv4 network in CIDR notation.
    package func cidr(_ key: String) -> IPv4CIDR? {
        guard let text = string(key) else { return nil }
        do {
            return try IPv4CIDR(parsing: text)
        } catch IPv4CIDR.ParseError.hostBitsSet(let network) {
            problems.add(
                fieldPath(key), "\"\(text)\" has host bits set; the network address is \(network)", at: value(key))
        } catch {
            problems.add(fieldPath(key), "\"\(text)\" is not an IPv4 CIDR (a.b.c.d/n)", at: value(key))
        }
        return nil
    }

    /// A duration such as `60s` or `5m`.
    package func duration(_ key: String, default defaultValue: String) -> ConfigDuration? {
        guard let node = value(key) else { return ConfigDuration(defaultValue) }
        guard let text = string(key), let duration = ConfigDuration(text), duration.seconds > 0 else {
            if case .scalar = node {
                problems.add(
                    fieldPath(key), "\(YAMLFieldReader.quoted(node)) is not a duration (write e.g. 60s, 5m, 1h30m)",
                    at: node)
            }
            return nil
        }
        return duration
    }

    /// An absolute path.
    package func absolutePath(_ key: String, required: Bool = true, default defaultValue: String? = nil) -> String? {
        guard let text = string(key, required: required && defaultValue == nil) else {
            return value(key) == nil ? defaultValue : nil
        }
        return checkAbsolute(text, path: fieldPath(key), at: value(key))
    }

    /// Reports `text` unless it is an absolute, normalized path.
    package func checkAbsolute(_ text: String, path: String, at node: Node?) -> String? {
        guard text.hasPrefix("/") else {
            problems.add(path, "\"\(text)\" must be an absolute path (starting with /)", at: node)
            return nil
        }
        if text.split(separator: "/").contains("..") {
            problems.add(path, "\"\(text)\" must not contain \"..\"", at: node)
            return nil
        }
        return text
    }

    /// The node at `key`, for locating problems found later by cross-field rules.
    package func node(_ key: String) -> Node? { value(key) }

    /// True when `text` is empty or only tabs and space separators (what Foundation's
    /// `trimmingCharacters(in: .whitespaces)` removes; line breaks are not blank here).
    package static func isBlank(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator }
    }

    package static func quoted(_ node: Node) -> String {
        if case .scalar(let scalar) = node { return "\"\(scalar.string)\"" }
        return "this value"
    }

    /// The known key that is one or two edits away from `name`, to suggest for a typo.
    package static func closest(to name: String, in keys: [String]) -> String? {
        // Lengths more than two apart cannot be two edits apart; skipping them keeps a huge key cheap.
        let lowered = name.lowercased()
        let length = lowered.count
        return keys.filter { abs($0.lowercased().count - length) <= 2 }
            .map { ($0, editDistance($0.lowercased(), lowered)) }
            .filter { $0.1 <= 2 }
            .min { $0.1 < $1.1 }?.0
    }

    package static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }
}
