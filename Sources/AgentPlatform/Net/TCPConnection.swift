import AgentCore
import AgentRuntime
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Owner of a connected TCP socket descriptor, closed in deinit; made by `TCPConnector`.
package final class TCPConnection {
    /// The connected socket descriptor.
    package let descriptor: Int32

    /// Takes ownership of `descriptor`, which this object closes.
    package init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }
}
