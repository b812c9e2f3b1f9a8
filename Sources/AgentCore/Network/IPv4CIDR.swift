/// An IPv4 network in CIDR notation ("10.3.0.0/24"); the address must be the network address.
package struct IPv4CIDR: Hashable, CustomStringConvertible, Sendable {
    package let network: IPv4Address
    package let prefixLength: Int

    /// Why a CIDR text was rejected, phrased for a config problem.
    package enum ParseError: Error, Equatable {
        case malformed
        case hostBitsSet(network: IPv4Address)
    }

    /// Parses "a.b.c.d/n"; throws `ParseError.hostBitsSet` when bits below the prefix are set.
    package init(parsing text: String) throws {
        let pieces = text.split(separator: "/", omittingEmptySubsequences: false)
        guard pieces.count == 2, let address = IPv4Address(String(pieces[0])),
            pieces[1].allSatisfy({ $0.isASCII && $0.isNumber }), !pieces[1].isEmpty,
            let length = Int(pieces[1]), (0...32).contains(length)
        else { throw ParseError.malformed }
        let mask = IPv4CIDR.mask(length)
        guard address.value & ~mask == 0 else {
            throw ParseError.hostBitsSet(network: IPv4Address(value: address.value & mask))
        }
        network = address
        prefixLength = length
    }

    private static func mask(_ length: Int) -> UInt32 {
        length == 0 ? 0 : UInt32.max << (32 - UInt32(length))
    }

    /// The netmask as a number.
    package var mask: UInt32 { IPv4CIDR.mask(prefixLength) }

    /// The last address of the range (the broadcast address for prefixes below /31).
    package var lastAddress: IPv4Address { IPv4Address(value: network.value | ~mask) }

    /// The first usable address; Kubernetes gives it to the `kubernetes.default` service.
    package var firstHostAddress: IPv4Address { IPv4Address(value: network.value &+ 1) }

    /// True when `address` lies inside the range.
    package func contains(_ address: IPv4Address) -> Bool { address.value & mask == network.value }

    package var description: String { "\(network)/\(prefixLength)" }
}
