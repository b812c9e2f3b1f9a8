/// Turns an `Encodable` value into a `YAMLNode` the way Yams 5.0.1's `YAMLEncoder` built its nodes:
/// keys in encoding order (synthesized `encodeIfPresent` skips nil optionals), strings plain unless
/// they would read back as another type (then single-quoted), integers and booleans plain.
package enum YAMLNodeEncoder {
    /// Why a value cannot be encoded.
    package struct UnsupportedValue: Error, CustomStringConvertible {
        /// The coding path of the value, e.g. "spec.containers.Index 0".
        package let path: String
        /// The value's type.
        package let type: String
        /// "could not encode PATH as YAML: TYPE is not supported. ..."
        package var description: String {
            "could not encode \(path.isEmpty ? "the value" : path) as YAML: \(type) is not supported. Use strings, integers, booleans, lists and structs"
        }
    }

    /// The node for `value`; throws `UnsupportedValue` for a floating-point or other non-text scalar.
    package static func encode<T: Encodable>(_ value: T) throws -> YAMLNode {
        let root = Slot()
        try root.encode(value, path: [])
        return root.node
    }

    /// The scalar Yams's representer makes of `text`.
    package static func scalar(for text: String) -> YAMLNode {
        .scalar(.init(text, tag: YAMLNode.Tags.str, style: YAMLPlainResolver.readsAsString(text) ? .any : .singleQuoted))
    }

    /// The node Yams wrote for an explicit nil: `null`.
    package static let null = YAMLNode.scalar(.init("null", tag: YAMLNode.Tags.null, style: .any))
}

// One value under construction; children are slots too, so nested containers fill in place.
private final class Slot {
    package enum Content {
        case empty
        case done(YAMLNode)
        case list([Slot])
        case map([(String, Slot)])
    }
    package var content = Content.empty

    package var node: YAMLNode {
        switch content {
        case .empty: return YAMLNodeEncoder.null
        case .done(let node): return node
        case .list(let slots): return .sequence(.init(items: slots.map(\.node), mark: nil))
        // Yams made keys with `Node(key)`: implicit tag, any style, so libyaml alone decides on quotes.
        case .map(let pairs): return .mapping(.init(pairs: pairs.map { .init(key: .scalar(.init($0.0, tag: YAMLNode.Tags.str, style: .any)), value: $0.1.node) }, mark: nil))
        }
    }

    package func encode<T: Encodable>(_ value: T, path: [CodingKey]) throws {
        switch value {
        case let text as String:
            content = .done(YAMLNodeEncoder.scalar(for: text))
        case let flag as Bool:
            content = .done(.scalar(.init(flag ? "true" : "false", tag: YAMLNode.Tags.bool, style: .any)))
        case let number as any BinaryInteger:
            content = .done(.scalar(.init("\(number)", tag: YAMLNode.Tags.int, style: .any)))
        case is any FloatingPoint:
            throw YAMLNodeEncoder.UnsupportedValue(path: path.map(\.stringValue).joined(separator: "."), type: "\(T.self)")
        default:
            try value.encode(to: SlotEncoder(slot: self, codingPath: path))
        }
    }

    package func child(forKey key: String) -> Slot {
        let child = Slot()
        if case .map(var pairs) = content {
            pairs.append((key, child))
            content = .map(pairs)
        }
        return child
    }

    package func appendChild() -> Slot {
        let child = Slot()
        if case .list(var slots) = content {
            slots.append(child)
            content = .list(slots)
        }
        return child
    }
}

private struct IndexKey: CodingKey {
    package let intValue: Int?
    package var stringValue: String { "Index \(intValue ?? 0)" }
    package init(_ index: Int) { intValue = index }
    package init?(stringValue: String) { return nil }
    package init?(intValue: Int) { self.intValue = intValue }
}

private struct SlotEncoder: Encoder {
    package let slot: Slot
    package let codingPath: [CodingKey]
    package var userInfo: [CodingUserInfoKey: Any] { [:] }

    package func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .empty = slot.content { slot.content = .map([]) }
        return KeyedEncodingContainer(KeyedSlotContainer<Key>(slot: slot, codingPath: codingPath))
    }

    package func unkeyedContainer() -> UnkeyedEncodingContainer {
        if case .empty = slot.content { slot.content = .list([]) }
        return UnkeyedSlotContainer(slot: slot, codingPath: codingPath)
    }

    package func singleValueContainer() -> SingleValueEncodingContainer { SingleSlotContainer(slot: slot, codingPath: codingPath) }
}

private struct KeyedSlotContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    package let slot: Slot
    package let codingPath: [CodingKey]

    package mutating func encodeNil(forKey key: Key) throws { slot.child(forKey: key.stringValue).content = .done(YAMLNodeEncoder.null) }

    package mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try slot.child(forKey: key.stringValue).encode(value, path: codingPath + [key])
    }

    package mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        SlotEncoder(slot: slot.child(forKey: key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    package mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        SlotEncoder(slot: slot.child(forKey: key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }

    package mutating func superEncoder() -> Encoder { SlotEncoder(slot: slot.child(forKey: "super"), codingPath: codingPath) }

    package mutating func superEncoder(forKey key: Key) -> Encoder {
        SlotEncoder(slot: slot.child(forKey: key.stringValue), codingPath: codingPath + [key])
    }
}

private struct UnkeyedSlotContainer: UnkeyedEncodingContainer {
    package let slot: Slot
    package let codingPath: [CodingKey]
    package private(set) var count = 0

    package init(slot: Slot, codingPath: [CodingKey]) {
        self.slot = slot
        self.codingPath = codingPath
        if case .list(let slots) = slot.content { count = slots.count }
    }

    private mutating func next() -> (Slot, [CodingKey]) {
        defer { count += 1 }
        return (slot.appendChild(), codingPath + [IndexKey(count)])
    }

    package mutating func encodeNil() throws { next().0.content = .done(YAMLNodeEncoder.null) }

    package mutating func encode<T: Encodable>(_ value: T) throws {
        let (child, path) = next()
        try child.encode(value, path: path)
    }

    package mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let (child, path) = next()
        return SlotEncoder(slot: child, codingPath: path).container(keyedBy: keyType)
    }

    package mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        let (child, path) = next()
        return SlotEncoder(slot: child, codingPath: path).unkeyedContainer()
    }

    package mutating func superEncoder() -> Encoder {
        let (child, path) = next()
        return SlotEncoder(slot: child, codingPath: path)
    }
}

private struct SingleSlotContainer: SingleValueEncodingContainer {
    package let slot: Slot
    package let codingPath: [CodingKey]

    package mutating func encodeNil() throws { slot.content = .done(YAMLNodeEncoder.null) }

    package mutating func encode<T: Encodable>(_ value: T) throws { try slot.encode(value, path: codingPath) }
}
