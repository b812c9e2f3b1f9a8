/// The name of one concrete systemd unit (`docker.service`, `getty@tty1.service`), checked with the rules
/// of systemd's `unit_name_is_valid` for plain and instance names, so it can stand unquoted in
/// `Requires=`/`After=` and be passed to Manager.StartUnit.
package struct UnitName: Hashable, CustomStringConvertible, Sendable {
    /// The unit types systemd knows (the part after the last dot).
    package static let types: Set<String> = [
        "service", "mount", "swap", "socket", "target", "device", "automount",
        "timer", "path", "slice", "scope",
    ]
    /// systemd's UNIT_NAME_MAX counts the terminating NUL.
    package static let maxLength = 255

    package let text: String

    /// `text` as a unit name, or nil when systemd would not accept it (`problem(in:)` says why).
    package init?(_ text: String) {
        guard UnitName.problem(in: text) == nil else { return nil }
        self.text = text
    }

    package var description: String { text }

    /// The unit type, such as `service`.
    package var type: String { String(text[text.index(after: text.lastIndex(of: ".")!)...]) }

    /// Why `text` is not the name of a concrete unit, or nil when it is one.
    package static func problem(in text: String) -> String? {
        guard !text.isEmpty else { return "it is empty" }
        guard text.utf8.count <= maxLength else { return "it is longer than \(maxLength) bytes" }
        guard let dot = text.lastIndex(of: "."), dot != text.startIndex else {
            return "it has no type suffix such as .service or .target"
        }
        let type = String(text[text.index(after: dot)...])
        guard types.contains(type) else {
            return "\".\(type)\" is not a unit type (known: \(types.sorted().joined(separator: ", ")))"
        }
        let stem = text[..<dot]
        if let bad = stem.unicodeScalars.first(where: { !isAllowed($0) }) {
            return
                "it contains \"\(bad.escaped(asASCII: true))\"; unit names use only ASCII letters, digits and \":-_.\\@\""
        }
        if let at = stem.firstIndex(of: "@") {
            if at == stem.startIndex { return "it starts with \"@\"" }
            if stem.index(after: at) == stem.endIndex {
                return "it is a template (nothing after \"@\"); name an instance such as getty@tty1.service"
            }
        }
        return nil
    }

    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", ":", "-", "_", ".", "\\", "@": return true
        default: return false
        }
    }
}
