import Yams

/// Bounds a config document must stay within before and after Yams composes it. Yams composes nested
/// collections by recursion, so a few thousand levels overflow the stack and crash the process: the
/// text is checked before it is parsed. Aliased nodes are shared, so a small "billion laughs" file
/// expands into billions of values for any code that walks or prints it. Both were found by fuzzing
/// `ConfigLoader.load(yaml:file:)`.
package enum YAMLDocumentLimits {
    /// Upper bound on the nesting estimate of one line: twice its indentation plus its `-`, `?`, `:` markers.
    package static let maxBlockNesting = 200
    /// Upper bound on the number of `[` and `{` in the whole text.
    package static let maxFlowCollections = 500
    /// Upper bound on values plus scalar bytes once every alias is expanded (twice the 1 MiB file limit).
    package static let maxExpandedSize = 2 << 20

    /// The problem of `text` nesting deeper than a config needs (or than the given bounds), or nil; runs
    /// before parsing. Text that passes nests at most the sum of the two bounds deep (700 levels for a
    /// config); Yams needs about 3 KB of stack per level of mappings, and the main thread has 8 MB.
    package static func nestingProblem(
        in text: String, maxBlockNesting: Int = maxBlockNesting,
        maxFlowCollections: Int = maxFlowCollections
    ) -> ConfigProblem? {
        // Each block collection enclosing a line sits at a smaller or equal indentation (at most two per
        // column: a sequence may share its parent key's column) or opens on the line itself with a marker;
        // each flow collection has its own bracket. Counting every bracket and marker, even inside
        // quotes and comments, can only overestimate the depth, never miss it.
        let bytes = Array(text.utf8)
        var line = 1, indent = 0, markers = 0, flow = 0
        var atLineStart = true
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if let width = lineBreakWidth(bytes, index) {
                line += 1
                indent = 0
                markers = 0
                atLineStart = true
                index += width
                continue
            }
            if atLineStart && (byte == 0x20 || byte == 0x09) {
                indent += 1
            } else {
                atLineStart = false
                if byte == 0x5B || byte == 0x7B {
                    flow += 1
                    if flow > maxFlowCollections {
                        return ConfigProblem(
                            path: "",
                            message:
                                "has more than \(maxFlowCollections) flow lists or mappings ('[' or '{'); a cluster config needs a handful, so write it in block style",
                            line: line)
                    }
                } else if byte == 0x2D || byte == 0x3F || byte == 0x3A {
                    let next = index + 1 < bytes.count ? bytes[index + 1] : 0x0A
                    if next == 0x20 || next == 0x09 || lineBreakWidth(bytes, index + 1) != nil
                        || index + 1 == bytes.count
                    {
                        markers += 1
                    }
                }
            }
            if 2 * indent + markers > maxBlockNesting {
                return ConfigProblem(
                    path: "",
                    message:
                        "nests too deeply (more than \(maxBlockNesting) levels of indentation and list or mapping markers on one line); a cluster config needs fewer than 10",
                    line: line)
            }
            index += 1
        }
        return nil
    }

    /// The problem of `root` expanding past `maxExpandedSize` once aliases are resolved, or nil.
    package static func expansionProblem(in root: Node) -> ConfigProblem? {
        // Counted when pushed rather than when visited, so a wide aliased list stops the walk at once
        // instead of being pushed again for every alias that points at it.
        var size = 1
        var pending: [Node] = [root]
        while let node = pending.popLast() {
            let children: [Node]
            switch node {
            case .scalar(let scalar):
                size += scalar.string.utf8.count
                children = []
            case .sequence(let sequence):
                children = Array(sequence)
            case .mapping(let mapping):
                children = mapping.flatMap { [$0.key, $0.value] }
            }
            size += children.count
            if size > maxExpandedSize {
                return ConfigProblem(
                    path: "",
                    message:
                        "expands to more than \(maxExpandedSize) values and characters once its anchors and aliases are resolved (an alias bomb?); write the values out instead of using aliases",
                    line: nil)
            }
            pending.append(contentsOf: children)
        }
        return nil
    }

    // YAML line breaks as libyaml reads them: LF, CR, NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR. Missing
    // one would let indentation after it go uncounted; CRLF resetting twice is harmless.
    private static func lineBreakWidth(_ bytes: [UInt8], _ index: Int) -> Int? {
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case 0x0A, 0x0D: return 1
        case 0xC2 where index + 1 < bytes.count && bytes[index + 1] == 0x85: return 2
        case 0xE2
        where index + 2 < bytes.count && bytes[index + 1] == 0x80
            && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
            return 3
        default: return nil
        }
    }
}
