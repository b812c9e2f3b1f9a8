import AgentCore
import AgentRuntime
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// What the machine says about itself: hostname (gethostname) and IPv4 addresses (getifaddrs).
package enum HostIdentity {
    /// The hostname, or nil if gethostname fails.
    package static func hostname() -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return nil }
        return String(cString: buffer)
    }

    /// Every IPv4 address on a local interface.
    package static func ipv4Addresses() -> [IPv4Address] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(list) }
        var result: [IPv4Address] = []
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            if let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) {
                let value = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    UInt32(bigEndian: $0.pointee.sin_addr.s_addr)
                }
                result.append(IPv4Address(value: value))
            }
            cursor = entry.pointee.ifa_next
        }
        return result
    }
}
