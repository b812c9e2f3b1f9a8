/// The one hand-written path helper left: kept only for code under Config that is being rewritten
/// (it names the kubelet unit with it). New code uses `(path as NSString).lastPathComponent`;
/// delete this file and its test once nothing calls it.
extension String {
    /// The last component of a slash-separated path ("/a/b/" -> "b", "/" -> "/"), like NSString's.
    package var lastPathComponent: String {
        var trimmed = Substring(self)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        if trimmed == "/" { return "/" }
        guard let slash = trimmed.lastIndex(of: "/") else { return String(trimmed) }
        return String(trimmed[trimmed.index(after: slash)...])
    }
}
