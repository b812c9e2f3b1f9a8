/// Number formatting that `String(format:)` did, without full Foundation.
enum NumberText {
    /// `value` with exactly `decimals` digits after the point, rounded half away from zero ("%.1f").
    static func fixed(_ value: Double, decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        // Beyond 2^53 a Double has no fractional digits left to print; describe it as Swift does.
        guard value.isFinite, abs(value) * scale < 9.0e15 else { return "\(value)" }
        let scaled = Int((abs(value) * scale).rounded(.toNearestOrAwayFromZero))
        let unit = Int(scale)
        // printf keeps the sign of a negative value that rounds to zero ("-0.0"); so does this.
        let sign = value.sign == .minus ? "-" : ""
        guard decimals > 0 else { return sign + String(scaled) }
        return sign + String(scaled / unit) + "." + zeroPadded(scaled % unit, width: decimals)
    }

    /// `value` in decimal with leading zeros to at least `width` digits ("%04lld").
    static func zeroPadded(_ value: Int, width: Int, radix: Int = 10) -> String {
        let digits = String(value.magnitude, radix: radix)
        let padding = String(repeating: "0", count: max(0, width - digits.count))
        return (value < 0 ? "-" : "") + padding + digits
    }

    /// Two upper-case hex digits ("%02X").
    static func hexByte(_ byte: UInt8) -> String {
        zeroPadded(Int(byte), width: 2, radix: 16).uppercased()
    }
}
