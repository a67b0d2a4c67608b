import Foundation

/// A calendar month, stored as `YYYY-MM` text so months sort and compare as text does.
///
/// Typed as `2026-11`, or relative to the clock: `this-month`, `last-month`,
/// `next-month`, `-1m`, `+2m`, `-1y` (in January 2026 `-1m` is `2025-12`).
public struct Month: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    /// 1…12.
    public let month: Int

    /// Years 0001–9999, the dates the store holds.
    public init?(year: Int, month: Int) {
        guard (1...9999).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    /// The month of a day number.
    public init(day: Int) {
        let c = DateCodec.civilFromDays(day)
        year = c.year
        month = c.month
    }

    /// Parses `YYYY-MM` exactly (`2026-1` and `2026-13` are refused).
    public init?(text: String) {
        let u = Array(text.utf8)
        guard u.count == 7, u[4] == 45, let y = DateCodec.digits(u, 0, 4), let m = DateCodec.digits(u, 5, 2) else { return nil }
        self.init(year: y, month: m)
    }

    /// The month a typed word means: `2026-11`, `this-month`, `last-month`, `next-month`,
    /// `±Nm`, `±Ny`; nil for anything else or a month outside years 0001–9999.
    public static func parse(_ text: String, today: Int) -> Month? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let m = Month(text: t) { return m }
        let current = Month(day: today)
        switch t {
        case "this-month", "this month": return current
        case "last-month", "last month", "previous-month": return current.adding(months: -1)
        case "next-month", "next month": return current.adding(months: 1)
        default: break
        }
        guard case .months(let n)? = RelativeDate.shift(t), t.hasSuffix("m") || t.hasSuffix("y") else { return nil }
        return current.adding(months: n)
    }

    /// This month moved by `n` months; nil past years 0001–9999.
    public func adding(months n: Int) -> Month? {
        let (total, overflow) = (year * 12 + month - 1).addingReportingOverflow(n)
        guard !overflow, total >= 0 else { return nil }
        return Month(year: total / 12, month: total % 12 + 1)
    }

    /// The day number of the month's first day.
    public var firstDay: Int { DateCodec.daysFromCivil(year, month, 1) }
    /// The day number of the month's last day (28, 29, 30 or 31).
    public var lastDay: Int { DateCodec.daysFromCivil(year, month, DateCodec.daysInMonth(year, month)) }

    /// `YYYY-MM`.
    public var description: String {
        let y = String(year), m = String(month)
        return String(repeating: "0", count: 4 - y.count) + y + "-" + (m.count == 1 ? "0" : "") + m
    }

    public static func < (a: Month, b: Month) -> Bool { (a.year, a.month) < (b.year, b.month) }
}
