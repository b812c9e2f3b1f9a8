/// One node of a composed YAML document: a scalar, a list or a mapping, each with where it starts.
/// Aliases are resolved to the node their anchor names, so an aliased node appears (and is stored,
/// by value, sharing storage) wherever it is referenced.
package indirect enum YAMLNode: Equatable {
    /// A scalar: text with its tag and style.
    case scalar(Scalar)
    /// A sequence: items in document order.
    case sequence(List)
    /// A mapping: key/value pairs in document order, duplicates kept.
    case mapping(Mapping)

    /// A position in the text; 1-based line and column (column counted in Unicode scalars), as Yams gave them.
    package struct Mark: Equatable, CustomStringConvertible {
        /// 1-based line.
        package let line: Int
        /// 1-based column.
        package let column: Int
        /// "line:column".
        package var description: String { "\(line):\(column)" }
    }

    /// A scalar node.
    package struct Scalar: Equatable {
        /// How a scalar is (or is to be) written.
        package enum Style: Equatable {
            /// Emitter's choice: plain when the text allows, quoted otherwise (emitting only).
            case any
            /// `text`
            case plain
            /// `'text'`
            case singleQuoted
            /// `"text"`
            case doubleQuoted
            /// `|` block
            case literal
            /// `>` block
            case folded
        }

        /// The scalar's text, escapes and folding already applied.
        package var string: String
        /// The explicit tag in full form (`tag:yaml.org,2002:null` for `!!null`), `tag:yaml.org,2002:str`
        /// for any quoted or block scalar without one, nil for an untagged plain scalar.
        package var tag: String?
        /// The scalar's style.
        package var style: Style
        /// Where the scalar starts; nil for a node built in code.
        package var mark: Mark?

        /// A scalar with the given text, tag, style and position.
        package init(_ string: String, tag: String? = nil, style: Style = .plain, mark: Mark? = nil) {
            self.string = string
            self.tag = tag
            self.style = style
            self.mark = mark
        }
    }

    /// A sequence node.
    package struct List: Equatable {
        /// The items in order.
        package var items: [YAMLNode]
        /// Where the sequence starts; nil for a node built in code.
        package var mark: Mark?
    }

    /// A mapping node.
    package struct Mapping: Equatable {
        /// One key and its value.
        package struct Pair: Equatable {
            /// The key node (a scalar in any config we accept).
            package var key: YAMLNode
            /// The value node.
            package var value: YAMLNode
        }

        /// The pairs in order, duplicate keys kept (the config reader reports them).
        package var pairs: [Pair]
        /// Where the mapping starts; nil for a node built in code.
        package var mark: Mark?
    }

    /// Tag URIs of the YAML core schema that the composer and the encoder use.
    package enum Tags {
        /// `!!str`
        package static let str = "tag:yaml.org,2002:str"
        /// `!!null`
        package static let null = "tag:yaml.org,2002:null"
        /// `!!bool`
        package static let bool = "tag:yaml.org,2002:bool"
        /// `!!int`
        package static let int = "tag:yaml.org,2002:int"
        /// `!!seq`
        package static let seq = "tag:yaml.org,2002:seq"
        /// `!!map`
        package static let map = "tag:yaml.org,2002:map"
    }

    /// Where this node starts, if it was composed from text.
    package var mark: Mark? {
        switch self {
        case .scalar(let scalar): return scalar.mark
        case .sequence(let list): return list.mark
        case .mapping(let mapping): return mapping.mark
        }
    }

    /// The scalar, if this node is one.
    package var scalar: Scalar? {
        if case .scalar(let scalar) = self { return scalar }
        return nil
    }

    /// The text of this node as Yams's `load` would construct it with its default resolver, if that is a
    /// string: a quoted or block scalar, one tagged `!!str`, or a plain scalar that reads as no other type.
    package var stringValue: String? {
        guard case .scalar(let scalar) = self else { return nil }
        if let tag = scalar.tag { return tag == Tags.str ? scalar.string : nil }
        return YAMLPlainResolver.readsAsString(scalar.string) ? scalar.string : nil
    }
}
