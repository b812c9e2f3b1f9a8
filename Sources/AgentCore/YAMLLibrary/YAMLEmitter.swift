import CYAML

/// Owner of a libyaml emitter (yaml_emitter_initialize / yaml_emitter_delete) set up as Yams 5.0.1's
/// `YAMLEncoder` was for manifests: UTF-8, indent 2, unlimited width, non-ASCII escaped, LF breaks,
/// implicit document start and end, block collections.
package final class YAMLEmitter {
    private let emitter: UnsafeMutablePointer<yaml_emitter_t>
    private var output: [UInt8] = []

    /// `node` as one YAML document; throws `YAMLError` when libyaml refuses an event (yaml_emitter_emit).
    package static func emit(_ node: YAMLNode) throws -> String {
        let emitter = try YAMLEmitter()
        try emitter.emitDocument(node)
        return String(decoding: emitter.output, as: UTF8.self)
    }

    /// A configured emitter writing into memory; throws `YAMLError` when libyaml cannot allocate one.
    package init() throws {
        emitter = .allocate(capacity: 1)
        // On failure libyaml leaves the struct zeroed, and deinit (which Swift runs once every stored
        // property is set) deletes and frees it: freeing here too would free twice.
        guard yaml_emitter_initialize(emitter) == 1 else { throw YAMLError(outOfMemory: "a libyaml emitter") }
        yaml_emitter_set_output(emitter, { context, buffer, size in
            guard let context, let buffer else { return 0 }
            let owner = Unmanaged<YAMLEmitter>.fromOpaque(context).takeUnretainedValue()
            owner.output.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
            return 1
        }, Unmanaged.passUnretained(self).toOpaque())
        yaml_emitter_set_canonical(emitter, 0)
        yaml_emitter_set_indent(emitter, 2)
        yaml_emitter_set_width(emitter, -1)
        // Yams's encoder left allowUnicode off; keeping it off keeps manifests byte-identical.
        yaml_emitter_set_unicode(emitter, 0)
        yaml_emitter_set_break(emitter, YAML_LN_BREAK)
        yaml_emitter_set_encoding(emitter, YAML_UTF8_ENCODING)
    }

    deinit {
        yaml_emitter_delete(emitter)
        emitter.deallocate()
    }

    private func emitDocument(_ node: YAMLNode) throws {
        var event = yaml_event_t()
        yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING)
        try emit(&event)
        yaml_document_start_event_initialize(&event, nil, nil, nil, 1)
        try emit(&event)
        try emitNode(node)
        yaml_document_end_event_initialize(&event, 1)
        try emit(&event)
        yaml_stream_end_event_initialize(&event)
        try emit(&event)
        guard yaml_emitter_flush(emitter) == 1 else { throw YAMLError(emitter: emitter) }
    }

    // libyaml takes ownership of the event, also when it fails.
    private func emit(_ event: inout yaml_event_t) throws {
        guard yaml_emitter_emit(emitter, &event) == 1 else { throw YAMLError(emitter: emitter) }
    }

    // Recursive: the emitter only writes nodes we build (a pod is a few levels deep).
    private func emitNode(_ node: YAMLNode) throws {
        var event = yaml_event_t()
        switch node {
        case .scalar(let scalar):
            // Both implicit flags set, as Yams did: libyaml never writes the tag and quotes only when the
            // style asks for it or the text cannot be plain.
            var value = Array(scalar.string.utf8) + [0]
            var tag = Array((scalar.tag ?? YAMLNode.Tags.str).utf8) + [0]
            let ok = value.withUnsafeMutableBufferPointer { value in
                tag.withUnsafeMutableBufferPointer { tag in
                    yaml_scalar_event_initialize(&event, nil, tag.baseAddress, value.baseAddress,
                                                 Int32(value.count - 1), 1, 1, Self.style(scalar.style))
                }
            }
            guard ok == 1 else { throw YAMLError(emitter: emitter) }
            try emit(&event)
        case .sequence(let list):
            var tag = Array(YAMLNode.Tags.seq.utf8) + [0]
            _ = tag.withUnsafeMutableBufferPointer {
                yaml_sequence_start_event_initialize(&event, nil, $0.baseAddress, 1, YAML_ANY_SEQUENCE_STYLE)
            }
            try emit(&event)
            for item in list.items { try emitNode(item) }
            yaml_sequence_end_event_initialize(&event)
            try emit(&event)
        case .mapping(let mapping):
            var tag = Array(YAMLNode.Tags.map.utf8) + [0]
            _ = tag.withUnsafeMutableBufferPointer {
                yaml_mapping_start_event_initialize(&event, nil, $0.baseAddress, 1, YAML_ANY_MAPPING_STYLE)
            }
            try emit(&event)
            for pair in mapping.pairs {
                try emitNode(pair.key)
                try emitNode(pair.value)
            }
            yaml_mapping_end_event_initialize(&event)
            try emit(&event)
        }
    }

    private static func style(_ style: YAMLNode.Scalar.Style) -> yaml_scalar_style_t {
        switch style {
        case .any: return YAML_ANY_SCALAR_STYLE
        case .plain: return YAML_PLAIN_SCALAR_STYLE
        case .singleQuoted: return YAML_SINGLE_QUOTED_SCALAR_STYLE
        case .doubleQuoted: return YAML_DOUBLE_QUOTED_SCALAR_STYLE
        case .literal: return YAML_LITERAL_SCALAR_STYLE
        case .folded: return YAML_FOLDED_SCALAR_STYLE
        }
    }
}
