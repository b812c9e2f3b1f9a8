import AgentCore
import AgentRuntime
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Opens TCP connections within a deadline: getaddrinfo, then one non-blocking connect per resolved address in turn.
package enum TCPConnector {
    /// One resolved socket address (a copy of an addrinfo entry's sockaddr).
    package struct Address {
        /// The address bytes, large enough for any family.
        package var storage = sockaddr_storage()
        /// How many bytes of `storage` are used.
        package var length: socklen_t = 0
        /// AF_INET or AF_INET6.
        package var family: Int32 { Int32(storage.ss_family) }
    }

    /// Resolves `host` (name or literal) and `port` to every TCP address, in getaddrinfo's order; throws
    /// `TCPConnectError` `unresolved` (getaddrinfo).
    package static func resolve(host: String, port: Int) throws -> [Address] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, list != nil else {
            throw TCPConnectError(
                code: .unresolved, target: target(host: host, port: port),
                cause: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var addresses: [Address] = []
        var current = list
        while let info = current {
            current = info.pointee.ai_next
            guard let source = info.pointee.ai_addr,
                Int(info.pointee.ai_addrlen) <= MemoryLayout<sockaddr_storage>.size
            else { continue }
            var address = Address(length: info.pointee.ai_addrlen)
            withUnsafeMutableBytes(of: &address.storage) {
                $0.copyMemory(from: UnsafeRawBufferPointer(start: source, count: Int(info.pointee.ai_addrlen)))
            }
            addresses.append(address)
        }
        return addresses
    }

    /// Connects to `host:port` within `timeout`, trying each resolved address in turn; the socket is left blocking with
    /// send/receive timeouts set to what remains. Throws `TCPConnectError` (getaddrinfo, socket, connect, poll).
    package static func connect(host: String, port: Int, timeout: Duration) throws -> TCPConnection {
        let deadline = ContinuousClock.now + timeout
        return try connect(
            to: try resolve(host: host, port: port), target: target(host: host, port: port),
            deadline: deadline)
    }

    /// Tries `addresses` in order until one accepts before `deadline`; throws the most telling address's
    /// `TCPConnectError` (a refusal or timeout over a local failure such as EADDRNOTAVAIL on ::1), and stops
    /// at the first timeout since the deadline is shared (socket, connect, poll, getsockopt SO_ERROR).
    package static func connect(to addresses: [Address], target: String, deadline: ContinuousClock.Instant) throws
        -> TCPConnection
    {
        var reported = TCPConnectError(code: .unresolved, target: target, cause: "no usable address")
        for address in addresses {
            do {
                return try attempt(address, target: target, deadline: deadline)
            } catch let error as TCPConnectError {
                // A refusal or timeout says what the server did; keep it over a later local failure.
                if error.code != .failed || ![.refused, .timedOut].contains(reported.code) { reported = error }
                if error.code == .timedOut { break }
            }
        }
        throw reported
    }

    /// "host:port", with an IPv6 literal in brackets.
    package static func target(host: String, port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    // Non-blocking so the deadline holds even when SYNs go unanswered.
    private static func attempt(_ address: Address, target: String, deadline: ContinuousClock.Instant) throws
        -> TCPConnection
    {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw systemError(errno, target, call: "socket") }
        let connection = TCPConnection(descriptor: fd)
        var storage = address.storage
        let status = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, address.length) }
        }
        if status != 0 {
            guard errno == EINPROGRESS || errno == EINTR else { throw systemError(errno, target) }
            var pollDescriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            var ready: Int32
            repeat {
                ready = poll(&pollDescriptor, 1, milliseconds(until: deadline))
            } while ready < 0 && errno == EINTR
            if ready == 0 {
                throw TCPConnectError(code: .timedOut, target: target, cause: "no answer before the timeout")
            }
            guard ready > 0 else { throw systemError(errno, target, call: "poll") }
            var socketError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length) == 0 else {
                throw systemError(errno, target, call: "getsockopt")
            }
            guard socketError == 0 else { throw systemError(socketError, target) }
        }
        // Callers such as OpenSSL read and write blocking; the timeouts keep the overall deadline.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        let remaining = max(0.001, seconds(deadline - ContinuousClock.now))
        var interval = timeval(tv_sec: Int(remaining), tv_usec: Int((remaining - remaining.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        return connection
    }

    private static func systemError(_ code: Int32, _ target: String, call: String? = nil) -> TCPConnectError {
        let words = String(cString: strerror(code))
        let cause = call.map { "\($0): \(words)" } ?? words
        switch code {
        case ECONNREFUSED: return TCPConnectError(code: .refused, target: target, cause: cause)
        case ETIMEDOUT: return TCPConnectError(code: .timedOut, target: target, cause: cause)
        default: return TCPConnectError(code: .failed, target: target, cause: cause)
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    // Rounded up so a poll never returns before the deadline.
    private static func milliseconds(until deadline: ContinuousClock.Instant) -> Int32 {
        let remaining = seconds(deadline - ContinuousClock.now)
        return Int32(max(0, min((remaining * 1000).rounded(.up), Double(Int32.max))))
    }
}
