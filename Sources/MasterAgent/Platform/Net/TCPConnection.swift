import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Owner of a connected TCP socket descriptor, closed in deinit; made by `TCPConnector`.
final class TCPConnection {
    /// The connected socket descriptor.
    let descriptor: Int32

    /// Takes ownership of `descriptor`, which this object closes.
    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }
}
