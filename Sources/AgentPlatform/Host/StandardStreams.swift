import AgentCore
import AgentRuntime
import Glibc

/// Unbuffered writes to standard output and error (FileHandle lives in full Foundation).
package enum StandardStreams {
    /// Writes all of `text` to standard output; a failed write (a closed pipe) ends it quietly.
    package static func writeOut(_ text: String) { write(text, to: STDOUT_FILENO) }

    /// Writes all of `text` to standard error.
    package static func writeError(_ text: String) { write(text, to: STDERR_FILENO) }

    private static func write(_ text: String, to descriptor: Int32) {
        _ = Array(text.utf8).withUnsafeBytes { FileDescriptorWrite.all($0, to: descriptor) }
    }
}
