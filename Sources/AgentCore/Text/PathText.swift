/// Path and padding helpers for `String`, as NSString offered them, so the agent needs only
/// FoundationEssentials (full Foundation and ICU cost megabytes of memory at every start).
extension String {
    /// The last component of a slash-separated path ("/a/b/" -> "b", "/" -> "/"), like NSString's.
    package var lastPathComponent: String {
        let trimmed = Self.droppingTrailingSlashes(self)
        if trimmed == "/" { return "/" }
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    /// The path without its last component ("/a/b" -> "/a", "/a" -> "/", "a" -> ""), like NSString's.
    package var deletingLastPathComponent: String {
        let trimmed = Self.droppingTrailingSlashes(self)
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        let parent = Self.droppingTrailingSlashes(String(trimmed[..<slash]))
        return parent.isEmpty ? "/" : parent
    }

    /// The string padded with spaces (or cut) to exactly `width` characters.
    package func padded(to width: Int) -> String {
        count >= width ? String(prefix(width)) : self + String(repeating: " ", count: width - count)
    }

    /// The string without leading and trailing whitespace and line breaks.
    package var trimmingWhitespace: String { Self.trimming(Substring(self)) { $0.isWhitespace } }

    /// The string without leading and trailing spaces and tabs (line breaks stay).
    package var trimmingBlanks: String { Self.trimming(Substring(self)) { $0.isWhitespace && !$0.isNewline } }

    package static func trimming(_ text: Substring, where isTrimmed: (Character) -> Bool) -> String {
        guard let first = text.firstIndex(where: { !isTrimmed($0) }), let last = text.lastIndex(where: { !isTrimmed($0) }) else { return "" }
        return String(text[first...last])
    }

    private static func droppingTrailingSlashes(_ path: String) -> String {
        var path = Substring(path)
        while path.count > 1 && path.hasSuffix("/") { path = path.dropLast() }
        return String(path)
    }
}

extension Substring {
    /// The substring without leading and trailing whitespace and line breaks, as a String.
    package var trimmingWhitespace: String { String.trimming(self) { $0.isWhitespace } }

    /// The substring without leading and trailing spaces and tabs, as a String.
    package var trimmingBlanks: String { String.trimming(self) { $0.isWhitespace && !$0.isNewline } }
}
