import Yams

/// The strings that, written plain, some YAML 1.1 or 1.2 reader takes for something else: a boolean,
/// null, number, timestamp, merge key or YAML 1.1 value key. The kubelet decodes manifests with go-yaml v2
/// (YAML 1.1 words including `y` and `n`, Go's number syntax, underscores dropped); PyYAML and Yams follow
/// YAML 1.1, most other tools YAML 1.2's core schema. The set is generous (every case of the words, any
/// digits around `:` or `.`), since quoting a string never changes what it reads as.
package enum AmbiguousPlainScalars {
    /// True when `text`, written without quotes, could be read as another type by one of those readers.
    package static func contains(_ text: String) -> Bool {
        if readers.resolveTag(of: Node(text)) != .str { return true }
        // go-yaml v2 drops every underscore before it parses a number (`0_x1F` is 31, `+_1` is 1); a
        // leading one makes the text no number for any reader.
        guard text.contains("_"), !text.hasPrefix("_") else { return false }
        return readers.resolveTag(of: Node(text.filter { $0 != "_" })) != .str
    }

    // Yams's default resolver (YAML 1.1, the rules PyYAML has) plus what go-yaml v2 and YAML 1.2 also read:
    // y and n and every case of the words; 0B, 0o and 0X prefixes; signed and exponent forms of `.5`;
    // leading-zero and sexagesimal floats; dates with one-digit fields. The patterns are constants that
    // the tests run, hence `try!`, as Yams writes its own rules.
    private static let readers = try! Resolver.default
        .appending(.bool, "^(?i:y|n|yes|no|on|off|true|false)$")
        .appending(.null, "^(?i:null)$")
        .appending(.int, "^[-+]?0[bBoOxX][0-9a-fA-F]+$")
        .appending(
            .float,
            """
            ^[-+]?(?:[0-9]+(?::[0-5]?[0-9])*(?:\\.[0-9]*)?(?:[eE][-+]?[0-9]+)?\
            |\\.[0-9]+(?:[eE][-+]?[0-9]+)?\
            |\\.(?i:inf|nan))$
            """
        )
        .appending(
            .timestamp,
            """
            ^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}\
            (?:(?:[Tt]|[ \\t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\\.[0-9]*)?\
            (?:[ \\t]*(?:Z|[-+][0-9]{1,2}(?::?[0-9]{2})?))?)?$
            """)
}
