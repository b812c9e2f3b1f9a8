import CYAML

/// Owner of a libyaml parser (yaml_parser_initialize / yaml_parser_delete) over one UTF-8 text, and the
/// composer that turns its events into one `YAMLNode`, as Yams 5.0.1's `compose(yaml:)` did.
package final class YAMLParser {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    // yaml_parser_set_input_string reads the bytes in place, so they live as long as the parser.
    private let input: UnsafeMutableBufferPointer<UInt8>
    private let text: String
    private var anchors: [String: YAMLNode] = [:]

    /// The single document of `text`, nil when the stream holds none; throws `YAMLError` for text libyaml
    /// rejects, an alias to an undefined anchor, or a second document (yaml_parser_parse).
    package static func compose(_ text: String) throws -> YAMLNode? {
        try YAMLParser(text: text).composeSingleDocument()
    }

    /// A parser positioned after the stream start; throws `YAMLError` if even that fails.
    package init(text: String) throws {
        self.text = text
        let bytes = Array(text.utf8)
        input = .allocate(capacity: max(bytes.count, 1))
        _ = input.initialize(from: bytes)
        parser = .allocate(capacity: 1)
        // On failure libyaml leaves the struct zeroed, and deinit (which Swift runs once every stored
        // property is set) deletes and frees it: freeing here too would free twice.
        guard yaml_parser_initialize(parser) == 1 else { throw YAMLError(outOfMemory: "a libyaml parser") }
        // A fixed encoding, as Yams set it: libyaml then reads a byte order mark as content.
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(parser, input.baseAddress, bytes.count)
        _ = try nextEvent() // the stream start
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
        input.deallocate()
    }

    /// One libyaml event, copied out of the C struct (which is freed at once).
    private enum Event {
        case streamEnd
        case documentStart, documentEnd
        case alias(anchor: String, mark: YAMLNode.Mark)
        case scalar(YAMLNode.Scalar, anchor: String?)
        case sequenceStart(anchor: String?, mark: YAMLNode.Mark)
        case sequenceEnd
        case mappingStart(anchor: String?, mark: YAMLNode.Mark)
        case mappingEnd
        case other

        package var mark: YAMLNode.Mark? {
            switch self {
            case .alias(_, let mark), .sequenceStart(_, let mark), .mappingStart(_, let mark): return mark
            case .scalar(let scalar, _): return scalar.mark
            default: return nil
            }
        }
    }

    private var streamEndProduced: Bool { parser.pointee.stream_end_produced != 0 }

    private func nextEvent() throws -> (Event, YAMLNode.Mark) {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else {
            throw YAMLError(parser: parser, text: text)
        }
        defer { yaml_event_delete(&event) }
        let mark = YAMLNode.Mark(libyaml: event.start_mark)
        switch event.type {
        case YAML_STREAM_END_EVENT: return (.streamEnd, mark)
        case YAML_DOCUMENT_START_EVENT: return (.documentStart, mark)
        case YAML_DOCUMENT_END_EVENT: return (.documentEnd, mark)
        case YAML_ALIAS_EVENT:
            return (.alias(anchor: Self.string(event.data.alias.anchor) ?? "", mark: mark), mark)
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            // Scalars may hold NUL characters, so the length counts, not the terminator.
            let value = String(decoding: UnsafeBufferPointer(start: data.value, count: data.length), as: UTF8.self)
            // As Yams: a quoted or block scalar without a tag is a string; a plain one stays untagged.
            let tag = data.quoted_implicit == 1 ? YAMLNode.Tags.str : Self.string(data.tag)
            let scalar = YAMLNode.Scalar(value, tag: tag, style: Self.style(data.style), mark: mark)
            return (.scalar(scalar, anchor: Self.string(data.anchor)), mark)
        case YAML_SEQUENCE_START_EVENT:
            return (.sequenceStart(anchor: Self.string(event.data.sequence_start.anchor), mark: mark), mark)
        case YAML_SEQUENCE_END_EVENT: return (.sequenceEnd, mark)
        case YAML_MAPPING_START_EVENT:
            return (.mappingStart(anchor: Self.string(event.data.mapping_start.anchor), mark: mark), mark)
        case YAML_MAPPING_END_EVENT: return (.mappingEnd, mark)
        default: return (.other, mark)
        }
    }

    // Yams's Parser.singleRoot: one document or none, then the stream must end.
    private func composeSingleDocument() throws -> YAMLNode? {
        guard !streamEndProduced else { return nil }
        let (start, _) = try nextEvent()
        if case .streamEnd = start { return nil }
        let node = try composeNode(first: try nextEvent().0)
        _ = try nextEvent() // the document end
        let (after, mark) = try nextEvent()
        if case .streamEnd = after { return node }
        throw YAMLError(composer: "but found another document", at: mark,
                        context: "expected a single document in the stream", contextMark: .init(line: 1, column: 1))
    }

    // A collection being filled; a class so appending never copies the items gathered so far.
    private final class Frame {
        package let isMapping: Bool
        package let anchor: String?
        package let mark: YAMLNode.Mark
        package var items: [YAMLNode] = []
        package var pairs: [YAMLNode.Mapping.Pair] = []
        package var key: YAMLNode?

        package init(isMapping: Bool, anchor: String?, mark: YAMLNode.Mark) {
            self.isMapping = isMapping
            self.anchor = anchor
            self.mark = mark
        }

        package func add(_ node: YAMLNode) {
            if !isMapping {
                items.append(node)
            } else if let key {
                pairs.append(.init(key: key, value: node))
                self.key = nil
            } else {
                key = node
            }
        }

        package var node: YAMLNode {
            isMapping ? .mapping(.init(pairs: pairs, mark: mark)) : .sequence(.init(items: items, mark: mark))
        }
    }

    // Iterative, with an explicit stack: deep nesting must not overflow the thread's stack. An anchor is
    // registered when its node is complete, as Yams did, so an alias inside its own collection is undefined.
    private func composeNode(first: Event) throws -> YAMLNode {
        var stack: [Frame] = []
        var event = first
        while true {
            var completed: YAMLNode?
            switch event {
            case .alias(let anchor, let mark):
                guard let node = anchors[anchor] else { throw YAMLError(composer: "found undefined alias", at: mark) }
                completed = node
            case .scalar(let scalar, let anchor):
                let node = YAMLNode.scalar(scalar)
                if let anchor { anchors[anchor] = node }
                completed = node
            case .sequenceStart(let anchor, let mark):
                stack.append(Frame(isMapping: false, anchor: anchor, mark: mark))
            case .mappingStart(let anchor, let mark):
                stack.append(Frame(isMapping: true, anchor: anchor, mark: mark))
            case .sequenceEnd, .mappingEnd:
                guard let frame = stack.popLast() else {
                    throw YAMLError(composer: "found the end of a collection that was not started", at: .init(line: 1, column: 1))
                }
                let node = frame.node
                if let anchor = frame.anchor { anchors[anchor] = node }
                completed = node
            case .streamEnd, .documentStart, .documentEnd, .other:
                throw YAMLError(composer: "found an unexpected event inside a document", at: event.mark ?? .init(line: 1, column: 1))
            }
            if let node = completed {
                guard let top = stack.last else { return node }
                top.add(node)
            }
            event = try nextEvent().0
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    private static func style(_ style: yaml_scalar_style_t) -> YAMLNode.Scalar.Style {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: return .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: return .literal
        case YAML_FOLDED_SCALAR_STYLE: return .folded
        case YAML_PLAIN_SCALAR_STYLE: return .plain
        default: return .any
        }
    }
}
