/// Writes config values into a unit file so that systemd reads back exactly the text given:
/// quoting and C-style escapes as systemd.syntax(7) describes them, specifiers and variable
/// expansion as systemd.service(5) describes them for command lines.
package enum SystemdSyntax {
    /// `argument` as one argument word of an `ExecStart=` command line.
    ///
    /// `%` is written `%%` (systemd expands specifiers such as `%n` in every word) and `$` is written
    /// `$$` (systemd expands `${NAME}` and a lone `$NAME` when it starts the process). The word is put in
    /// double quotes, with `\"`, `\\` and C-style escapes for control characters, when it is empty,
    /// holds whitespace, a quote, a backslash or a control character, or starts with `#` or `;` (a
    /// continuation line starting so is a comment to systemd, and a bare `;` separates commands).
    /// Any other word is returned unchanged. NUL cannot be passed at all: systemd refuses `\x00`, so
    /// such a line fails to load (config validation rejects control characters before rendering).
    package static func execArgument(_ argument: String) -> String {
        word(argument, doublingDollars: true)
    }

    /// `path` as the executable word of an `ExecStart=` command line: like `execArgument` except that
    /// `$` stays single, because systemd executes the path exactly as written (only argv is expanded).
    /// `path` must be absolute: a leading `@`, `-`, `:`, `+` or `!` would be read as a prefix.
    package static func execPath(_ path: String) -> String {
        word(path, doublingDollars: false)
    }

    /// The value of `ExecStart=`: the executable, then one word per argument, joined by `separator`.
    ///
    /// When `executable` holds a `$`, it is written with the `@` prefix followed by argv[0]: systemd
    /// runs the path unexpanded but expands `$$` and `${NAME}` in argv[0], so a single word cannot be
    /// exact for both. Otherwise the executable is one word, which is what the document's units show.
    package static func execCommandLine(_ executable: String, arguments: [String], separator: String = " ") -> String {
        let head =
            executable.unicodeScalars.contains("$")
            ? "\(execPath("@" + executable)) \(execArgument(executable))"
            : execPath(executable)
        return ([head] + arguments.map(execArgument)).joined(separator: separator)
    }

    private static func word(_ text: String, doublingDollars: Bool) -> String {
        var body = ""
        var needsQuotes = text.isEmpty || text.hasPrefix("#") || text.hasPrefix(";")
        for scalar in text.unicodeScalars {
            switch scalar {
            case "%":
                body += "%%"
            case "$" where doublingDollars:
                body += "$$"
            case "\\", "\"":
                body += "\\" + String(scalar)
                needsQuotes = true
            case "'", " ":
                body.unicodeScalars.append(scalar)
                needsQuotes = true
            default:
                if let escape = controlEscape(scalar) {
                    body += escape
                    needsQuotes = true
                } else {
                    body.unicodeScalars.append(scalar)
                }
            }
        }
        return needsQuotes ? "\"\(body)\"" : body
    }

    // Tab, line feed and CR also split words, so each control character forces quotes. systemd's
    // cunescape turns \xHH into one byte, so C1 characters use \uHHHH, which it writes as UTF-8.
    private static func controlEscape(_ scalar: Unicode.Scalar) -> String? {
        switch scalar.value {
        case 0x07: return "\\a"
        case 0x08: return "\\b"
        case 0x09: return "\\t"
        case 0x0A: return "\\n"
        case 0x0B: return "\\v"
        case 0x0C: return "\\f"
        case 0x0D: return "\\r"
        case 0x00...0x1F, 0x7F: return "\\x" + hex(scalar.value, digits: 2)
        case 0x80...0x9F: return "\\u" + hex(scalar.value, digits: 4)
        default: return nil
        }
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
