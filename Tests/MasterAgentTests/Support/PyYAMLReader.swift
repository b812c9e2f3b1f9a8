import Foundation
import XCTest

/// PyYAML's `yaml.safe_load` (python3-yaml), an independent YAML 1.1 reader: it resolves yes/no/on/off,
/// sexagesimal numbers, timestamps and `=` as go-yaml v2 does, but reads `y` and `n` as strings.
enum PyYAMLReader {
    private static let script = """
        import json, sys, yaml
        out = []
        for text in json.load(sys.stdin):
            try:
                out.append(yaml.safe_load(text))
            except yaml.YAMLError as error:
                out.append({"PyYAML could not read the document": str(error)})
        # A value JSON has no type for (a date, a set) is shown with its Python type, so it differs from a string.
        print(json.dumps(out, sort_keys=True, default=lambda value: {type(value).__name__: repr(value)}))
        """

    /// Each document loaded and written back as canonical JSON (sorted keys); one python3 process for all.
    static func canonicalJSON(_ documents: [String]) throws -> [String] {
        let input = String(decoding: try JSONSerialization.data(withJSONObject: documents), as: UTF8.self)
        let result = try TestSupport.run(
            URL(fileURLWithPath: "/usr/bin/python3"), ["-c", script], input: input, timeout: 300)
        struct Failed: Error, CustomStringConvertible { let description: String }
        guard result.status == 0 else {
            throw Failed(
                description:
                    "python3 -c <PyYAML script> exited \(result.status) (scripts/setup installs python3-yaml): \(result.stderr)"
            )
        }
        let loaded = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [Any])
        return try loaded.map(canonical)
    }

    /// `object` (from JSONSerialization, Yams.load or a JSON encoder) as sorted-keys JSON text.
    static func canonical(_ object: Any) throws -> String {
        String(
            decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed]),
            as: UTF8.self)
    }
}
