import AgentCore
import FoundationEssentials

/// Reads the join token from `secrets.tokenFile`, refusing a file others could read or (when the agent runs as
/// root) one not owned by root. Its errors name the file, never its contents.
package enum JoinTokenFile {
    /// The token at `path`; throws `JoinTokenFileError` or `JoinTokenError`.
    package static func read(_ files: FileStore, path: String) throws -> JoinToken {
        guard let file = try files.readFile(path) else {
            throw JoinTokenFileError(
                path: path,
                problem: "it does not exist. On the first master run `master-agent token generate --out \(path)`, "
                    + "then copy that file to the same path on every other master")
        }
        if file.mode & 0o177 != 0 {
            throw JoinTokenFileError(
                path: path,
                problem: "its mode is \(String(file.mode, radix: 8)), so others may read it; run chmod 600 \(path)")
        }
        if files.writesAsRoot && file.ownerUID != 0 {
            throw JoinTokenFileError(
                path: path, problem: "it is owned by uid \(file.ownerUID), not root; run chown root:root \(path)")
        }
        return try JoinToken.parse(String(decoding: file.data, as: UTF8.self), source: path)
    }
}

/// A join token file that must not be used as it is.
package struct JoinTokenFileError: Error, Equatable, CustomStringConvertible {
    package let path: String
    package let problem: String
    package var description: String { "could not use the join token file \(path): \(problem)." }
}
