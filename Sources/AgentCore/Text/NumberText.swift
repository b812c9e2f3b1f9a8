/// Number formatting that `String(format:)` did, without full Foundation.
package enum NumberText {
    /// `value` with exactly `decimals` (0 to 9) digits after the point, as glibc's "%.Nf" prints it: the
    /// exact binary value rounded, ties to even. Values of 2^73 and more fall back to Swift's description.
    package static func fixed(_ value: Double, decimals: Int) -> String {
        precondition((0...9).contains(decimals), "NumberText.fixed prints 0 to 9 decimals")
        guard value.isFinite else { return "\(value)" }
        var unit: UInt128 = 1
        for _ in 0..<decimals { unit *= 10 }
        // |value| = significand * 2^exponent exactly, so |value| * unit is an exact fraction over a power of two.
        let magnitude = value.magnitude
        let biased = Int(magnitude.exponentBitPattern)
        let significand = UInt128(biased == 0 ? magnitude.significandBitPattern : magnitude.significandBitPattern | (1 << 52))
        let exponent = max(biased, 1) - 1075
        let scaled: UInt128
        if exponent >= 0 {
            guard exponent <= 20 else { return "\(value)" }
            scaled = (significand << exponent) * unit
        } else if -exponent >= 100 {
            scaled = 0 // the product is below 2^83, so it is less than half of 2^100
        } else {
            let shift = -exponent
            let product = significand * unit
            let quotient = product >> shift
            let remainder = product - (quotient << shift)
            let half = UInt128(1) << (shift - 1)
            scaled = remainder > half || (remainder == half && quotient & 1 == 1) ? quotient + 1 : quotient
        }
        let sign = value.sign == .minus ? "-" : "" // printf keeps the sign of a negative value that rounds to zero
        guard decimals > 0 else { return sign + String(scaled) }
        return sign + String(scaled / unit) + "." + zeroPadded(Int(scaled % unit), width: decimals)
    }

    /// `value` in decimal with leading zeros to at least `width` digits ("%04lld").
    package static func zeroPadded(_ value: Int, width: Int, radix: Int = 10) -> String {
        let digits = String(value.magnitude, radix: radix)
        let padding = String(repeating: "0", count: max(0, width - digits.count))
        return (value < 0 ? "-" : "") + padding + digits
    }

    /// Two upper-case hex digits ("%02X").
    package static func hexByte(_ byte: UInt8) -> String {
        zeroPadded(Int(byte), width: 2, radix: 16).uppercased()
    }
}
