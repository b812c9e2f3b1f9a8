/// Whether plain text reads back as a string: a hand-written port of Yams 5.0.1's `Resolver.default`
/// (its bool, int, float, merge, null, timestamp and value patterns). The manifest emitter leaves such
/// text for libyaml to write plain and quotes everything else, exactly as Yams's representer did, so
/// manifests keep their bytes; ICU regular expressions (and Foundation) are not needed for it.
package enum YAMLPlainResolver {
    /// True when Yams's default resolver would give `text` the tag `!!str` (it matches no other rule).
    package static func readsAsString(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars.lazy.map(\.value))
        if matchesAnyRule(scalars[...]) { return false }
        // The patterns end in `$`, which ICU also matches just before a final line terminator.
        if let body = droppingFinalLineTerminator(scalars[...]), matchesAnyRule(body) { return false }
        return true
    }

    private typealias Text = ArraySlice<UInt32>

    private static func droppingFinalLineTerminator(_ text: Text) -> Text? {
        guard let last = text.last else { return nil }
        if last == 0x0A, text.count >= 2, text[text.endIndex - 2] == 0x0D { return text.dropLast(2) }
        return [0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029].contains(last) ? text.dropLast() : nil
    }

    /// True when Yams's default resolver reads the plain `text` as null (`~`, `null`, `Null`, `NULL` or nothing).
    package static func readsAsNull(_ text: String) -> Bool { nullWords.contains(text) }

    private static func matchesAnyRule(_ text: Text) -> Bool {
        isBool(text) || isInt(text) || isFloat(text) || isMerge(text) || isNull(text) || isTimestamp(text) || isValue(text)
    }

    private static let boolWords: Set<String> = ["yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE",
                                                 "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF"]
    private static let nullWords: Set<String> = ["~", "null", "Null", "NULL", ""]

    private static func string(_ text: Text) -> String {
        String(String.UnicodeScalarView(text.compactMap(Unicode.Scalar.init)))
    }

    private static func isBool(_ text: Text) -> Bool { text.count <= 5 && boolWords.contains(string(text)) }
    private static func isNull(_ text: Text) -> Bool { text.count <= 4 && nullWords.contains(string(text)) }
    private static func isMerge(_ text: Text) -> Bool { text.elementsEqual([0x3C, 0x3C]) }
    private static func isValue(_ text: Text) -> Bool { text.elementsEqual([0x3D]) }

    // MARK: Character classes

    private static func isDigit(_ c: UInt32) -> Bool { (0x30...0x39).contains(c) }
    private static func isDigitOrUnderscore(_ c: UInt32) -> Bool { isDigit(c) || c == 0x5F }
    private static func isSign(_ c: UInt32) -> Bool { c == 0x2B || c == 0x2D }
    private static func isBlank(_ c: UInt32) -> Bool { c == 0x20 || c == 0x09 }

    /// A cursor over the text; each `take` consumes on success and reports whether it did.
    private struct Cursor {
        package let text: Text
        package var index: Int
        package init(_ text: Text) { self.text = text; index = text.startIndex }
        package var atEnd: Bool { index == text.endIndex }
        package var peek: UInt32? { atEnd ? nil : text[index] }
        package mutating func take(_ test: (UInt32) -> Bool) -> Bool {
            guard let c = peek, test(c) else { return false }
            index += 1
            return true
        }
        package mutating func take(_ c: UInt32) -> Bool { take { $0 == c } }
        /// Consumes as many as match; returns how many.
        @discardableResult package mutating func takeAll(_ test: (UInt32) -> Bool) -> Int {
            var count = 0
            while take(test) { count += 1 }
            return count
        }
        package mutating func takeSign() { _ = take(YAMLPlainResolver.isSign) }
    }

    /// `(?::[0-5]?[0-9])+`: one or more colon groups of one digit, or two with the first at most 5.
    private static func takeSexagesimalGroups(_ cursor: inout Cursor) -> Bool {
        var groups = 0
        while cursor.peek == 0x3A {
            var probe = cursor
            _ = probe.take(0x3A)
            let start = probe.index
            let count = probe.takeAll(isDigit)
            guard count == 1 || (count == 2 && (0x30...0x35).contains(probe.text[start])) else { break }
            cursor = probe
            groups += 1
        }
        return groups > 0
    }

    // MARK: Rules

    private static func isInt(_ text: Text) -> Bool {
        // [-+]?0b[0-1_]+
        var c = Cursor(text)
        c.takeSign()
        if c.take(0x30), c.take(0x62), c.takeAll({ $0 == 0x30 || $0 == 0x31 || $0 == 0x5F }) > 0, c.atEnd { return true }
        // [-+]?0o?[0-7_]+
        c = Cursor(text)
        c.takeSign()
        if c.take(0x30) {
            _ = c.take(0x6F)
            if c.takeAll({ (0x30...0x37).contains($0) || $0 == 0x5F }) > 0, c.atEnd { return true }
        }
        // [-+]?(?:0|[1-9][0-9_]*)
        c = Cursor(text)
        c.takeSign()
        if c.take(0x30), c.atEnd { return true }
        c = Cursor(text)
        c.takeSign()
        if c.take({ (0x31...0x39).contains($0) }) {
            c.takeAll(isDigitOrUnderscore)
            if c.atEnd { return true }
            // [-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+
            if takeSexagesimalGroups(&c), c.atEnd { return true }
        }
        // [-+]?0x[0-9a-fA-F_]+
        c = Cursor(text)
        c.takeSign()
        if c.take(0x30), c.take(0x78),
           c.takeAll({ isDigitOrUnderscore($0) || (0x61...0x66).contains($0) || (0x41...0x46).contains($0) }) > 0, c.atEnd {
            return true
        }
        return false
    }

    private static func isFloat(_ text: Text) -> Bool {
        // [-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?
        var c = Cursor(text)
        c.takeSign()
        if c.take(isDigit) {
            c.takeAll(isDigitOrUnderscore)
            var afterInteger = c
            if c.take(0x2E) { c.takeAll(isDigitOrUnderscore) }
            if c.take({ $0 == 0x65 || $0 == 0x45 }) {
                c.takeSign()
                if c.takeAll(isDigit) > 0, c.atEnd { return true }
            } else if c.atEnd {
                return true
            }
            // [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
            if takeSexagesimalGroups(&afterInteger), afterInteger.take(0x2E) {
                afterInteger.takeAll(isDigitOrUnderscore)
                if afterInteger.atEnd { return true }
            }
        }
        // \.[0-9_]+(?:[eE][-+][0-9]+)?
        c = Cursor(text)
        if c.take(0x2E), c.takeAll(isDigitOrUnderscore) > 0 {
            if c.atEnd { return true }
            if c.take({ $0 == 0x65 || $0 == 0x45 }), c.take(isSign), c.takeAll(isDigit) > 0, c.atEnd { return true }
        }
        // [-+]?\.(?:inf|Inf|INF) and \.(?:nan|NaN|NAN)
        let word = string(text)
        return [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN"].contains(word)
    }

    private static func isTimestamp(_ text: Text) -> Bool {
        // [0-9]{4}-[0-9][0-9]?-[0-9][0-9]? shared by both forms; the date-only form needs two digits each.
        var c = Cursor(text)
        for _ in 0..<4 { guard c.take(isDigit) else { return false } }
        guard c.take(0x2D) else { return false }
        let month = c.takeAll(isDigit)
        guard month == 1 || month == 2, c.take(0x2D) else { return false }
        let day = c.takeAll(isDigit)
        guard day == 1 || day == 2 else { return false }
        if c.atEnd { return month == 2 && day == 2 }
        // (?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?
        if !c.take({ $0 == 0x54 || $0 == 0x74 }) && c.takeAll(isBlank) == 0 { return false }
        let hour = c.takeAll(isDigit)
        guard hour == 1 || hour == 2, c.take(0x3A), c.takeAll(isDigit) == 2, c.take(0x3A), c.takeAll(isDigit) == 2 else {
            return false
        }
        if c.take(0x2E) { c.takeAll(isDigit) }
        if c.atEnd { return true }
        // (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?
        c.takeAll(isBlank)
        if c.take(0x5A) { return c.atEnd }
        guard c.take(isSign) else { return false }
        let zoneHour = c.takeAll(isDigit)
        guard zoneHour == 1 || zoneHour == 2 else { return false }
        if c.atEnd { return true }
        return c.take(0x3A) && c.takeAll(isDigit) == 2 && c.atEnd
    }
}
