/// Dates typed relative to today: `today`, `yesterday`, `tomorrow`, `-7d`, `+2w`, `-3m`, `+1y`.
public enum RelativeDate {
    /// A shift from today by a number of days, weeks, months or years.
    public enum Shift: Equatable, Sendable {
        case days(Int)
        case months(Int)
    }

    /// The shift a word means, or nil if it is not a relative date.
    public static func shift(_ word: String) -> Shift? {
        switch word.lowercased() {
        case "today": return .days(0)
        case "yesterday": return .days(-1)
        case "tomorrow": return .days(1)
        default: break
        }
        var chars = Substring(word.lowercased())
        guard let sign = chars.first, sign == "-" || sign == "+" else { return nil }
        chars = chars.dropFirst()
        guard let unit = chars.last, let n = Int(chars.dropLast()), n >= 0, n <= 100_000 else { return nil }
        let signed = sign == "-" ? -n : n
        switch unit {
        case "d": return .days(signed)
        case "w": return .days(signed * 7)
        case "m": return .months(signed)
        case "y": return .months(signed * 12)
        default: return nil
        }
    }

    /// Applies a shift to a day number; months keep the day of month, clamped to the month's end.
    public static func apply(_ shift: Shift, to day: Int) -> Int {
        switch shift {
        case .days(let n):
            return day + n
        case .months(let n):
            let c = DateCodec.civilFromDays(day)
            let total = c.year * 12 + (c.month - 1) + n
            let y = total >= 0 ? total / 12 : (total - 11) / 12
            let m = total - y * 12 + 1
            let d = min(c.day, DateCodec.daysInMonth(y, m))
            return DateCodec.daysFromCivil(y, m, d)
        }
    }

    /// The days a date can be: years 0001 to 9999, what four-digit ISO dates (stored as
    /// text and compared as text) can hold.
    public static let validDays = DateCodec.daysFromCivil(1, 1, 1)...DateCodec.daysFromCivil(9999, 12, 31)

    /// The day a date word means (`2026-11-22` or a relative word), or nil (also when a
    /// shift lands outside years 0001–9999).
    public static func day(_ text: String, today: Int) -> Int? {
        if let d = DateCodec.days(ofDate: text) { return validDays.contains(d) ? d : nil }
        if let s = shift(text) {
            let d = apply(s, to: today)
            return validDays.contains(d) ? d : nil
        }
        return nil
    }
}
