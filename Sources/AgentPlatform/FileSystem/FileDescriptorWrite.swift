import AgentCore
import AgentRuntime
import Glibc

/// write(2) until every byte is out, shared by atomic file writes and the standard streams.
package enum FileDescriptorWrite {
    /// Writes all of `bytes` to `descriptor`, retrying EINTR; nil when done, else the errno of the failed
    /// write (EIO for a write that made no progress, which would otherwise loop forever).
    package static func all(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            if written == 0 { return EIO }
            offset += written
        }
        return nil
    }
}
