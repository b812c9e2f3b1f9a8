/// A duration written the Go way in the config ("60s", "5m", "1h30m", "500ms"), kept with its text
/// because rendered flags must carry exactly what the operator wrote.
package struct ConfigDuration: Hashable, CustomStringConvertible, Sendable {
    package let text: String
    package let seconds: Double

    /// Parses a sequence of number+unit pairs (units ms, s, m, h); nil for "", "60", "5 m", "-1s".
    package init?(_ text: String) {
        var total = 0.0
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix(while: { $0.isNumber || $0 == "." })
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix(while: { $0.isLetter })
            rest = rest.dropFirst(unit.count)
            switch unit {
            case "ms": total += value / 1000
            case "s": total += value
            case "m": total += value * 60
            case "h": total += value * 3600
            default: return nil
            }
        }
        self.text = text
        self.seconds = total
    }

    private init(text: String, seconds: Double) {
        self.text = text
        self.seconds = seconds
    }

    /// `n` whole days, written `<n>d`.
    package static func days(_ count: Int) -> ConfigDuration {
        ConfigDuration(text: "\(count)d", seconds: Double(count) * 86400)
    }

    /// A duration that may also be whole days (`30d`), for lifetimes measured in days; nil as `init?(_:)` is.
    package static func allowingDays(_ text: String) -> ConfigDuration? {
        if text.hasSuffix("d"), let count = Int(text.dropLast()), count >= 0, count <= 36500 {
            return days(count)
        }
        return ConfigDuration(text)
    }

    package var description: String { text }
}
