import Foundation

/// Kubernetes `MicroTime` text (`2026-11-24T22:00:00.000000Z`). The API server rejects any other number
/// of fractional digits and `ISO8601FormatStyle` prints at most three, so the text is laid out here;
/// the calendar arithmetic and the date validation are Foundation's. Wall time is passed in.
package enum MicroTime {
    /// The Gregorian calendar in UTC, in which the text's fields are read and written.
    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        return calendar
    }()

    /// Formats `date` in UTC with exactly six fractional digits, as Lease `acquireTime`/`renewTime` require.
    package static func format(_ date: Date) -> String {
        // Round to whole microseconds first, so 59.9999996 s becomes the next second, not ".1000000".
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let seconds = (micros / 1_000_000).rounded(.down)
        let fields = utc.dateComponents(
            [.year, .month, .day, .hour, .minute, .second],
            from: Date(timeIntervalSince1970: seconds))
        return String(
            format: "%04ld-%02ld-%02ldT%02ld:%02ld:%02ld.%06ldZ", fields.year!, fields.month!, fields.day!,
            fields.hour!, fields.minute!, fields.second!, Int(micros - seconds * 1_000_000))
    }

    /// Parses RFC 3339 text with an optional fraction (1 to 9 digits) and `Z` or `±hh:mm`, i.e. both
    /// `MicroTime` and the seconds-only `Time` of older writers. Nil when malformed or when the date or
    /// time does not exist (Feb 31, Feb 29 outside a leap year, 24:00, a leap second 23:59:60), as Go's
    /// `time.Parse` on the API server rejects them too.
    package static func parse(_ text: String) -> Date? {
        let grammar =
            #/
            ([0-9]{4}) - ([0-9]{2}) - ([0-9]{2})            # date
            [Tt] ([0-9]{2}) : ([0-9]{2}) : ([0-9]{2})       # time
            (?: \. ([0-9]{1,9}) )?                          # fraction
            (?: [Zz] | ([+-]) ([0-9]{2}) : ([0-9]{2}) )     # UTC or offset
            /#
        guard let match = text.wholeMatch(of: grammar) else { return nil }
        let (_, year, month, day, hour, minute, second, fraction, sign, offsetHours, offsetMinutes) = match.output
        let fields = DateComponents(
            year: Int(year), month: Int(month), day: Int(day),
            hour: Int(hour), minute: Int(minute), second: Int(second))
        guard fields.isValidDate(in: utc), let wallTime = utc.date(from: fields) else { return nil }
        var offset = 0
        if let sign, let hours = offsetHours.flatMap({ Int($0) }), let minutes = offsetMinutes.flatMap({ Int($0) }) {
            guard hours < 24, minutes < 60 else { return nil }
            offset = (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
        }
        let fractionSeconds = fraction.flatMap { Double("0.\($0)") } ?? 0
        // Round to microseconds so that parse(format(x)) formats back to the same text.
        let seconds = wallTime.timeIntervalSince1970 - Double(offset) + fractionSeconds
        return Date(timeIntervalSince1970: (seconds * 1_000_000).rounded() / 1_000_000)
    }
}
