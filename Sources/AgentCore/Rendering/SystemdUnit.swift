/// A systemd unit file as ordered sections of key/value lines, rendered deterministically.
package struct SystemdUnit: Equatable, Sendable {
    /// One `[Section]` with its entries in order; a key may repeat.
    package struct Section: Equatable, Sendable {
        package var name: String
        package var entries: [(key: String, value: String)]

        package static func == (lhs: Section, rhs: Section) -> Bool {
            lhs.name == rhs.name
                && lhs.entries.map { "\($0.key)=\($0.value)" } == rhs.entries.map { "\($0.key)=\($0.value)" }
        }
    }

    package var sections: [Section]

    /// The targets named by `WantedBy=` in `[Install]` (each value split at spaces), in order: what enabling links into.
    package var wantedBy: [String] {
        sections.filter { $0.name == "Install" }.flatMap(\.entries).filter { $0.key == "WantedBy" }
            .flatMap { $0.value.split(separator: " ").map(String.init) }
    }

    /// Builds the ExecStart value: the binary then one flag per continuation line, as the document writes it,
    /// each word quoted and escaped only as far as systemd needs to read it back exactly (`SystemdSyntax`).
    package static func execStart(_ binary: String, arguments: [String]) -> String {
        SystemdSyntax.execCommandLine(binary, arguments: arguments, separator: " \\\n  ")
    }

    /// The unit file text.
    package func render() -> String {
        sections.map { section in
            (["[\(section.name)]"] + section.entries.map { "\($0.key)=\($0.value)" }).joined(separator: "\n")
        }.joined(separator: "\n\n") + "\n"
    }
}
