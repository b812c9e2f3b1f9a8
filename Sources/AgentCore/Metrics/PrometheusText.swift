import Foundation

/// One metric family in Prometheus' text exposition format (0.0.4), the format node_exporter's textfile collector
/// reads from `*.prom` files. Only gauges: every value the agent exports is a level read at the time of writing.
package struct MetricFamily: Equatable, Sendable {
    package struct Sample: Equatable, Sendable {
        /// Label pairs in the order they are written.
        package var labels: [(name: String, value: String)]
        package var value: Double

        package init(_ labels: [(name: String, value: String)] = [], value: Double) {
            self.labels = labels
            self.value = value
        }

        package static func == (lhs: Sample, rhs: Sample) -> Bool {
            lhs.value.bitPattern == rhs.value.bitPattern && lhs.labels.map(\.name) == rhs.labels.map(\.name)
                && lhs.labels.map(\.value) == rhs.labels.map(\.value)
        }
    }

    package let name: String
    package let help: String
    package let samples: [Sample]

    package init(name: String, help: String, samples: [Sample]) {
        self.name = name
        self.help = help
        self.samples = samples
    }
}

/// Renders metric families as Prometheus text: `# HELP`, `# TYPE gauge`, then one line per sample, no timestamps
/// (the textfile collector rejects them; a time is exported as its own `*_timestamp_seconds` gauge instead).
package enum PrometheusText {
    package static func render(_ families: [MetricFamily]) -> String {
        var text = ""
        for family in families {
            precondition(isMetricName(family.name), "metric name \(family.name) is not valid")
            text += "# HELP \(family.name) \(escapeHelp(family.help))\n"
            text += "# TYPE \(family.name) gauge\n"
            for sample in family.samples {
                text += family.name
                if !sample.labels.isEmpty {
                    let pairs = sample.labels.map { label in
                        precondition(isLabelName(label.name), "label name \(label.name) is not valid")
                        return "\(label.name)=\"\(escapeLabelValue(label.value))\""
                    }
                    text += "{" + pairs.joined(separator: ",") + "}"
                }
                text += " \(format(sample.value))\n"
            }
        }
        return text
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    package static func isMetricName(_ name: String) -> Bool {
        isName(name, extra: ":")
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__` (reserved for Prometheus itself).
    package static func isLabelName(_ name: String) -> Bool {
        isName(name, extra: "") && !name.hasPrefix("__")
    }

    /// A label value with `\`, `"` and line feed escaped, as the format requires.
    package static func escapeLabelValue(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    /// A HELP text with `\` and line feed escaped (quotes stay as they are there).
    package static func escapeHelp(_ help: String) -> String {
        help.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Integers without a fraction, other values as Swift's shortest round-tripping form (which Go's ParseFloat
    /// reads), and the format's own spellings of infinities and NaN.
    package static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    private static func isName(_ name: String, extra: String) -> Bool {
        guard let first = name.unicodeScalars.first else { return false }
        let isStart = { (c: Unicode.Scalar) in
            c.isASCII && (CharacterSet.letters.contains(c) || c == "_" || extra.unicodeScalars.contains(c))
        }
        return isStart(first)
            && name.unicodeScalars.allSatisfy { isStart($0) || ($0.isASCII && ("0"..."9").contains($0)) }
    }
}
