import Foundation

/// Converts between the store's date/datetime text and civil dates, without
/// DateFormatter (which is slow and locale-sensitive).
///
/// Dates are `YYYY-MM-DD`. Datetimes are stored as UTC `YYYY-MM-DDTHH:MM:SSZ` and
/// shown in the local time zone.
public enum DateCodec {
    /// Days since 1970-01-01 for a civil date (proleptic Gregorian).
    public static func daysFromCivil(_ y: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y - 1 : y
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The civil date of a day number (inverse of `daysFromCivil`).
    public static func civilFromDays(_ z: Int) -> (year: Int, month: Int, day: Int) {
        let z = z + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// `YYYY-MM-DD` for a day number.
    public static func dateText(days: Int) -> String {
        let c = civilFromDays(days)
        return String(format: "%04d-%02d-%02d", c.year, c.month, c.day)
    }

    /// The day number of a `YYYY-MM-DD` text, or nil when it is not a real date.
    public static func days(ofDate text: String) -> Int? {
        let u = Array(text.utf8)
        guard u.count == 10, u[4] == 45, u[7] == 45,
              let y = digits(u, 0, 4), let m = digits(u, 5, 2), let d = digits(u, 8, 2),
              (1...12).contains(m), d >= 1, d <= daysInMonth(y, m) else { return nil }
        return daysFromCivil(y, m, d)
    }

    static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func digits(_ u: [UInt8], _ start: Int, _ count: Int) -> Int? {
        var n = 0
        for i in start..<(start + count) {
            let c = u[i]
            guard c >= 48, c <= 57 else { return nil }
            n = n * 10 + Int(c - 48)
        }
        return n
    }

    /// UTC storage text for seconds since the epoch.
    public static func utcText(epochSeconds t: Int) -> String {
        let days = Int((Double(t) / 86400).rounded(.down))
        let secs = t - days * 86400
        let c = civilFromDays(days)
        // Hand-formatted into the string's own buffer: imports format two per record.
        return String(unsafeUninitializedCapacity: 20) { buffer in
            func put(_ n: Int, at start: Int, width: Int) {
                var v = n
                for i in stride(from: start + width - 1, through: start, by: -1) {
                    buffer[i] = UInt8(truncatingIfNeeded: 48 + v % 10)
                    v /= 10
                }
            }
            put(c.year, at: 0, width: 4); buffer[4] = 45; put(c.month, at: 5, width: 2); buffer[7] = 45
            put(c.day, at: 8, width: 2); buffer[10] = 84
            put(secs / 3600, at: 11, width: 2); buffer[13] = 58; put(secs / 60 % 60, at: 14, width: 2); buffer[16] = 58
            put(secs % 60, at: 17, width: 2); buffer[19] = 90
            return 20
        }
    }

    /// Seconds since the epoch of a stored UTC datetime text.
    public static func epochSeconds(utc text: String) -> Int? {
        let u = Array(text.utf8)
        guard u.count == 20, u[10] == 84, u[13] == 58, u[16] == 58, u[19] == 90,
              let days = days(ofDate: String(decoding: u[0..<10], as: UTF8.self)),
              let h = digits(u, 11, 2), let mi = digits(u, 14, 2), let s = digits(u, 17, 2),
              h < 24, mi < 60, s < 60 else { return nil }
        return days * 86400 + h * 3600 + mi * 60 + s
    }

    /// Offset of local time from UTC at an instant, in seconds.
    static func localOffset(_ epoch: Int) -> Int {
        TimeZone.current.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(epoch)))
    }

    /// A stored UTC datetime as local `YYYY-MM-DD HH:MM`.
    public static func localDisplay(utc text: String) -> String {
        guard let t = epochSeconds(utc: text) else { return text }
        let local = t + localOffset(t)
        let iso = utcText(epochSeconds: local)
        return String(iso.prefix(10)) + " " + iso.dropFirst(11).prefix(5)
    }

    /// The local calendar day of an instant.
    public static func localDay(epochSeconds t: Int) -> Int {
        let local = t + localOffset(t)
        return Int((Double(local) / 86400).rounded(.down))
    }

    /// The instant of local midnight starting a day.
    public static func localMidnight(days: Int) -> Int {
        let guess = days * 86400
        // Two passes settle the offset across a DST change.
        var t = guess - localOffset(guess)
        t = guess - localOffset(t)
        return t
    }

    /// Parses a local datetime typed by a person (`2026-11-22 09:30`, `2026-11-22T09:30:15`,
    /// a date alone meaning its midnight, or a stored UTC text) into epoch seconds.
    public static func parseLocalDateTime(_ text: String) -> Int? {
        if let t = epochSeconds(utc: text) { return t }
        let s = text.replacingOccurrences(of: "T", with: " ")
        let parts = s.split(separator: " ", omittingEmptySubsequences: true)
        guard let first = parts.first, let days = days(ofDate: String(first)) else { return nil }
        var secs = 0
        if parts.count == 2 {
            let hms = parts[1].split(separator: ":").map { Int($0) }
            guard (2...3).contains(hms.count), hms.allSatisfy({ $0 != nil }) else { return nil }
            let h = hms[0]!, m = hms[1]!, sec = hms.count == 3 ? hms[2]! : 0
            guard (0..<24).contains(h), (0..<60).contains(m), (0..<60).contains(sec) else { return nil }
            secs = h * 3600 + m * 60 + sec
        } else if parts.count > 2 {
            return nil
        }
        let wall = days * 86400 + secs
        var t = wall - localOffset(wall)
        t = wall - localOffset(t)
        return t
    }
}
