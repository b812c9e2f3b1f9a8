import Yams

/// Which pod a file in the kubelet's manifest directory defines, as the kubelet would run it.
package enum StaticPodIdentity {
    // Any file may sit in the manifest directory, and Yams composes by recursion: a file nested deeper
    // than these bounds is no pod the kubelet would run either. A pod needs a few levels, but a JSON
    // manifest on one line counts a block marker for every `": "` and a bracket for every object and
    // list. Together at most 1,600 levels: under 60% of the ~2,800 levels of mappings that 8 MB of stack
    // holds in a release build.
    private static let maxBlockNesting = 600
    private static let maxFlowCollections = 1_000

    /// "namespace/name" of a manifest that is a Pod, nil for anything else (other kinds, bad YAML, nesting
    /// past the bounds). Values are read as `Yams.load` reads them, so `name: 123` is not a name; the file is
    /// composed rather than loaded, so aliases stay shared and a list as a key (where `load` traps) is no pod.
    package static func of(_ text: String) -> String? {
        guard
            YAMLDocumentLimits.nestingProblem(
                in: text, maxBlockNesting: maxBlockNesting,
                maxFlowCollections: maxFlowCollections) == nil,
            let root = try? Yams.compose(yaml: text), let object = fields(root),
            string(object["kind"]) == "Pod",
            let metadata = object["metadata"].flatMap(fields),
            let name = string(metadata["name"])
        else { return nil }
        return "\(string(metadata["namespace"]) ?? "default")/\(name)"
    }

    // A mapping by the text of its scalar keys, as `Yams.load` keys it; the last of duplicates wins.
    private static func fields(_ node: Node) -> [String: Node]? {
        guard let mapping = node.mapping else { return nil }
        var fields: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string else { return nil }
            fields[name] = value
        }
        return fields
    }

    // A scalar as `Yams.load` constructs it (by its resolved tag), if that is a string.
    private static func string(_ node: Node?) -> String? {
        guard let node, node.scalar != nil else { return nil }
        return node.any as? String
    }
}
