/// Which pod a file in the kubelet's manifest directory defines, as the kubelet would run it.
package enum StaticPodIdentity {
    // "namespace/name" of a manifest that is a Pod, nil for anything else (other kinds, bad YAML).
    // String values are read as Yams.load read them, so `name: 123` is not a name.
    package static func of(_ text: String) -> String? {
        // Any file may sit in the manifest directory. One nested deeper than composing and freeing a tree
        // stays safe for (YAMLParserTests composes 5000 levels) is no pod the kubelet would run either;
        // the bounds are ten times the config's, so large JSON manifests still count.
        guard YAMLDocumentLimits.nestingProblem(in: text, maxBlockNesting: 2000, maxFlowCollections: 5000) == nil,
              let root = try? YAMLParser.compose(text), let object = stringKeyedFields(root),
              object["kind"]?.stringValue == "Pod",
              let metadata = object["metadata"].flatMap(stringKeyedFields),
              let name = metadata["name"]?.stringValue else { return nil }
        return "\(metadata["namespace"]?.stringValue ?? "default")/\(name)"
    }

    // A mapping by the text of its scalar keys, as Yams.load made every scalar key a string; the last of
    // duplicates wins. A list or mapping as a key makes it no pod manifest.
    private static func stringKeyedFields(_ node: YAMLNode) -> [String: YAMLNode]? {
        guard case .mapping(let mapping) = node else { return nil }
        var fields: [String: YAMLNode] = [:]
        for pair in mapping.pairs {
            guard case .scalar(let key) = pair.key else { return nil }
            fields[key.string] = pair.value
        }
        return fields
    }
}
