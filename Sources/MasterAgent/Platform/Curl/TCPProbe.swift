import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A cheap TCP connect probe (getaddrinfo + non-blocking connect + poll), used while a port still refuses connections.
enum TCPProbe {
    /// What one connect attempt found.
    enum Result: Equatable {
        /// The connection was accepted (and closed again at once).
        case connected
        /// Nothing listens on the port (ECONNREFUSED).
        case refused
        /// No answer within the timeout.
        case timedOut
        /// Anything else, with the system's words (name resolution, unreachable network, ...).
        case failed(String)
    }

    /// Tries one TCP connect to `host`:`port` for at most `timeout`; never throws, the outcome is the result (connect, poll, getsockopt SO_ERROR).
    static func canConnect(host: String, port: Int, timeout: Duration) -> Result {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let first = list else {
            return .failed("could not resolve \(host): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(list) }
        let address = first.pointee

        let fd = socket(address.ai_family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue),
                        address.ai_protocol)
        guard fd >= 0 else { return .failed("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }

        if connect(fd, address.ai_addr, address.ai_addrlen) == 0 { return .connected }
        let connectErrno = errno
        guard connectErrno == EINPROGRESS else { return outcome(of: connectErrno) }

        var waiting = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let ready = poll(&waiting, 1, milliseconds(timeout))
        if ready == 0 { return .timedOut }
        guard ready > 0 else { return .failed("poll: \(String(cString: strerror(errno)))") }

        var socketError: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length) == 0 else {
            return .failed("getsockopt: \(String(cString: strerror(errno)))")
        }
        return socketError == 0 ? .connected : outcome(of: socketError)
    }

    private static func outcome(of error: Int32) -> Result {
        switch error {
        case ECONNREFUSED: return .refused
        case ETIMEDOUT: return .timedOut
        default: return .failed("connect: \(String(cString: strerror(error)))")
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(max(0, min(ms, Int64(Int32.max))))
    }
}
