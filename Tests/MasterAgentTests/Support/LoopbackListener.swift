import Foundation

/// A TCP socket listening on 127.0.0.1 at a port the kernel picks, that nobody accepts from: a connection made to
/// it waits in its queue (so a test can see whether anything connected, or fill the queue).
enum LoopbackListener {
    /// Opens, binds and listens; returns the descriptor (the caller closes it) and the port.
    static func open(backlog: Int32, nonBlocking: Bool = false) throws -> (fd: Int32, port: Int) {
        let type = Int32(SOCK_STREAM.rawValue | (nonBlocking ? SOCK_NONBLOCK.rawValue : 0))
        let fd = socket(AF_INET, type, 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(fd, pointer, length) == 0, listen(fd, backlog) == 0 else { return -1 }
                return getsockname(fd, pointer, &length)
            }
        }
        guard result == 0 else {
            close(fd)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }
}
