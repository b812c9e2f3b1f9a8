import CYAML

/// A YAML text libyaml could not read, or a node it could not write, with libyaml's own words.
package struct YAMLError: Error, CustomStringConvertible, Equatable {
    /// Which stage failed; tests and callers compare this.
    package enum Code: String, Equatable {
        /// libyaml ran out of memory (YAML_MEMORY_ERROR).
        case memory
        /// The bytes are not acceptable YAML characters (YAML_READER_ERROR).
        case reader
        /// The text does not tokenize (YAML_SCANNER_ERROR).
        case scanner
        /// The tokens do not form a document (YAML_PARSER_ERROR).
        case parser
        /// The events do not form one document of nodes: an undefined alias or a second document.
        case composer
        /// libyaml refused an event while writing (YAML_EMITTER_ERROR).
        case emitter
    }

    /// The failed stage.
    package let code: Code
    /// libyaml's problem text, e.g. "did not find expected key".
    package let problem: String
    /// Where the problem is (1-based), for scanner, parser and composer errors.
    package let mark: YAMLNode.Mark?
    /// libyaml's context, e.g. "while parsing a block mapping", with its own mark.
    package let context: String?
    /// Where the context starts.
    package let contextMark: YAMLNode.Mark?
    /// For reader errors: the text, the byte offset and the offending value, to point at the character.
    package let readerDetail: ReaderDetail?

    /// What a reader error points at.
    package struct ReaderDetail: Equatable {
        /// The whole input.
        package let text: String
        /// libyaml's problem_offset (bytes).
        package let offset: Int
        /// libyaml's problem_value (the offending character or byte).
        package let value: Int32
    }

    /// The problem as the config loader reports it, in the words Yams 5.0.1 used:
    /// "PROBLEM (line L, column C)" for scanner, parser and composer errors.
    package var located: String {
        switch code {
        case .scanner, .parser, .composer:
            let mark = mark ?? YAMLNode.Mark(line: 1, column: 1)
            return "\(problem) (line \(mark.line), column \(mark.column))"
        case .memory:
            return "Memory error"
        case .emitter:
            return problem
        case .reader:
            return readerDescription
        }
    }

    /// "could not read YAML: PROBLEM (line L, column C). Fix the text there."
    package var description: String {
        code == .emitter ? "could not write YAML: \(problem). This is a bug in the node given to the emitter"
            : "could not read YAML: \(located). Fix the text there"
    }

    /// The error libyaml's parser holds after yaml_parser_parse failed (its error, problem, problem_mark, context).
    package init(parser: UnsafePointer<yaml_parser_t>, text: String) {
        let p = parser.pointee
        problem = p.problem.map { String(cString: $0) } ?? "unknown problem"
        switch p.error {
        case YAML_READER_ERROR:
            code = .reader
            readerDetail = ReaderDetail(text: text, offset: p.problem_offset, value: p.problem_value)
            mark = nil
        case YAML_SCANNER_ERROR, YAML_PARSER_ERROR, YAML_COMPOSER_ERROR:
            code = p.error == YAML_SCANNER_ERROR ? .scanner : p.error == YAML_PARSER_ERROR ? .parser : .composer
            readerDetail = nil
            mark = YAMLNode.Mark(libyaml: p.problem_mark)
        default:
            code = .memory
            readerDetail = nil
            mark = nil
        }
        context = p.context.map { String(cString: $0) }
        contextMark = context == nil ? nil : YAMLNode.Mark(libyaml: p.context_mark)
    }

    /// An error found by the composer itself (undefined alias, second document).
    package init(composer problem: String, at mark: YAMLNode.Mark, context: String? = nil, contextMark: YAMLNode.Mark? = nil) {
        code = .composer
        self.problem = problem
        self.mark = mark
        self.context = context
        self.contextMark = contextMark
        readerDetail = nil
    }

    /// libyaml could not allocate `what` (yaml_parser_initialize or yaml_emitter_initialize returned 0).
    package init(outOfMemory what: String) {
        code = .memory
        problem = "could not allocate \(what)"
        mark = nil
        context = nil
        contextMark = nil
        readerDetail = nil
    }

    /// The error libyaml's emitter holds after yaml_emitter_emit failed.
    package init(emitter: UnsafePointer<yaml_emitter_t>) {
        let e = emitter.pointee
        code = e.error == YAML_MEMORY_ERROR ? .memory : .emitter
        problem = e.problem.map { String(cString: $0) } ?? "unknown problem"
        mark = nil
        context = nil
        contextMark = nil
        readerDetail = nil
    }

    // Yams's YamlError.reader description: "L:C: error: reader: PROBLEM:", the line, a caret under the
    // character; or "PROBLEM at offset: …, value: V" when the offset is not on a character.
    private var readerDescription: String {
        guard let detail = readerDetail else { return problem }
        let text = detail.text
        let utf8 = text.utf8
        guard let byteIndex = utf8.index(utf8.startIndex, offsetBy: detail.offset, limitedBy: utf8.endIndex),
              let index = byteIndex.samePosition(in: text) else {
            return "\(problem) at offset: nil, value: \(detail.value)"
        }
        guard index < text.endIndex else {
            return "\(problem) at offset: Optional(\(text.distance(from: text.startIndex, to: index))), value: \(detail.value)"
        }
        // Lines as NSString.getLineStart splits them: LF, CR, CRLF, NEL, LS, PS.
        var line = 0
        var lineStart = text.startIndex
        var cursor = text.startIndex
        while cursor < text.endIndex {
            let character = text[cursor]
            let next = text.index(after: cursor)
            if next > index { break }
            if character == "\n" || character == "\r" || character == "\r\n" || character == "\u{85}"
                || character == "\u{2028}" || character == "\u{2029}" {
                line += 1
                lineStart = next
            }
            cursor = next
        }
        var lineEnd = lineStart
        while lineEnd < text.endIndex {
            let character = text[lineEnd]
            lineEnd = text.index(after: lineEnd)
            if character == "\n" || character == "\r" || character == "\r\n" || character == "\u{85}"
                || character == "\u{2028}" || character == "\u{2029}" { break }
        }
        let column = text.utf16.distance(from: lineStart.samePosition(in: text.utf16) ?? text.utf16.startIndex,
                                         to: index.samePosition(in: text.utf16) ?? text.utf16.startIndex)
        var contents = String(text[lineStart..<lineEnd])
        if !(contents.unicodeScalars.last.map { [0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029].contains($0.value) } ?? false) {
            contents += "\n"
        }
        return "\(line + 1):\(column + 1): error: reader: \(problem):\n" + contents + String(repeating: " ", count: column) + "^"
    }
}

extension YAMLNode.Mark {
    /// A libyaml mark (0-based) as a 1-based mark, as Yams reported it.
    package init(libyaml mark: yaml_mark_t) {
        self.init(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }
}
