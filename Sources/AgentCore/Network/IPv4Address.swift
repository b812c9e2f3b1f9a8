/// An IPv4 address in dotted-quad form, parsed strictly (no leading zeros, each part 0-255).
package struct IPv4Address: Hashable, Comparable, CustomStringConvertible, Sendable {
    /// The address as a 32-bit big-endian number (a.b.c.d = a<<24 | b<<16 | c<<8 | d).
    package let value: UInt32

    package init(value: UInt32) { self.value = value }

    /// Parses "192.168.1.1"; nil for anything else (hostnames, IPv6, "1.2.3", "01.2.3.4").
    package init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var result: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                !(part.count > 1 && part.first == "0"),
                let octet = UInt32(part), octet <= 255
            else { return nil }
            result = result << 8 | octet
        }
        value = result
    }

    package var description: String {
        "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }

    package static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }
}
