import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Owner of a connected TCP socket descriptor, closed in deinit.
final class TCPConnection {
    /// The connected socket descriptor.
    let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Connects to `host:port` within `timeout`, trying each resolved address; the socket is left blocking with
    /// send/receive timeouts set to what remains of `timeout`. Throws `connectionRefused`, `timedOut` or `connectFailed`
    /// (getaddrinfo, connect, poll).
    static func connect(host: String, port: UInt16, timeout: TimeInterval) throws -> TCPConnection {
        let target = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let action = "connect to \(target)"
        let deadline = Date().addingTimeInterval(timeout)
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw OpenSSLError(code: .connectFailed, action: action, cause: String(cString: gai_strerror(status)),
                               hint: "Check the host name")
        }
        defer { freeaddrinfo(list) }

        var lastError = OpenSSLError(code: .connectFailed, action: action, cause: "no usable address", hint: "")
        var current: UnsafeMutablePointer<addrinfo>? = first
        while let info = current {
            current = info.pointee.ai_next
            do {
                return try attempt(info.pointee, deadline: deadline, action: action)
            } catch let error as OpenSSLError {
                lastError = error
                if error.code == .timedOut { break }
            }
        }
        throw lastError
    }

    // One non-blocking connect so the timeout holds even when SYNs go unanswered.
    private static func attempt(_ info: addrinfo, deadline: Date, action: String) throws -> TCPConnection {
        let fd = socket(info.ai_family, info.ai_socktype, info.ai_protocol)
        guard fd >= 0 else { throw systemError(errno, action) }
        let connection = TCPConnection(descriptor: fd)
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        if Glibc.connect(fd, info.ai_addr, info.ai_addrlen) != 0 {
            guard errno == EINPROGRESS else { throw systemError(errno, action) }
            var pollDescriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            var ready: Int32
            repeat {
                let remaining = max(0, Int32((deadline.timeIntervalSinceNow * 1000).rounded(.up)))
                ready = poll(&pollDescriptor, 1, remaining)
            } while ready < 0 && errno == EINTR
            guard ready > 0 else {
                throw OpenSSLError(code: .timedOut, action: action, cause: "no answer before the timeout",
                                   hint: "Check that the peer is up and that no firewall drops the port")
            }
            var socketError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
            guard socketError == 0 else { throw systemError(socketError, action) }
        }
        _ = fcntl(fd, F_SETFL, flags)
        let remaining = max(0.001, deadline.timeIntervalSinceNow)
        var interval = timeval(tv_sec: Int(remaining), tv_usec: Int((remaining - remaining.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        return connection
    }

    private static func systemError(_ code: Int32, _ action: String) -> OpenSSLError {
        let cause = String(cString: strerror(code))
        switch code {
        case ECONNREFUSED:
            return OpenSSLError(code: .connectionRefused, action: action, cause: cause,
                                hint: "Check that the API server runs and listens on this port")
        case ETIMEDOUT:
            return OpenSSLError(code: .timedOut, action: action, cause: cause, hint: "")
        default:
            return OpenSSLError(code: .connectFailed, action: action, cause: cause, hint: "")
        }
    }
}
