/// Dates as spreadsheets store them: a serial number of days, with the time of day as
/// its fraction, counted in the 1900 date system (or 1904, old Mac workbooks).
enum SpreadsheetDates {
    /// Day 0 of the 1900 system as Excel counts past its 1900-02-29 bug: 1899-12-30.
    static let epoch1900 = DateCodec.daysFromCivil(1899, 12, 30)
    static let epoch1904 = DateCodec.daysFromCivil(1904, 1, 1)

    /// The serial of a day (days since 1970-01-01).
    static func serial(days: Int) -> Int { days - epoch1900 }

    /// The serial of local wall-clock seconds since 1970-01-01 (no time zone: a cell has none).
    static func serial(wallSeconds: Int) -> Double {
        let days = Int((Double(wallSeconds) / 86400).rounded(.down))
        return Double(serial(days: days)) + Double(wallSeconds - days * 86400) / 86400
    }

    /// The text crm types a cell's date in: `YYYY-MM-DD`, or `YYYY-MM-DD HH:MM:SS` when the
    /// serial has a time of day or the format shows one.
    static func text(serial: Double, date1904: Bool, withTime: Bool) -> String? {
        guard serial.isFinite, serial >= 0, serial < 2_958_466 else { return nil }  // up to 9999-12-31
        var whole = Int(serial.rounded(.down))
        var seconds = Int(((serial - Double(whole)) * 86400).rounded())
        if seconds >= 86400 { whole += 1; seconds -= 86400 }
        let days: Int
        if date1904 {
            days = epoch1904 + whole
        } else {
            // Serials 1–59 are January and February 1900, one day off the count below (the
            // bug keeps a 29 February 1900 at serial 60).
            days = whole < 60 ? epoch1900 + whole + 1 : epoch1900 + whole
        }
        let date = DateCodec.dateText(days: days)
        guard withTime || seconds != 0 else { return date }
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return date + " " + two(seconds / 3600) + ":" + two(seconds / 60 % 60) + ":" + two(seconds % 60)
    }

    /// Built-in number formats that show a date or time (Excel's ids, with the East Asian ones).
    static let builtInDateFormats: Set<Int> = Set(14...22).union(27...36).union(45...47).union(50...58)
    /// Built-in formats among those that show a time of day.
    static let builtInTimeFormats: Set<Int> = Set(18...22).union(32...35).union(45...47).union([55, 56])

    /// Whether a format code shows a date, and whether it shows a time: its letters outside
    /// quotes, brackets and escapes include y/m/d, h/s.
    static func kind(ofFormat code: String) -> (date: Bool, time: Bool) {
        var plain = ""
        var inQuote = false, inBracket = false, escaped = false
        for c in code {
            if escaped { escaped = false; continue }
            if inQuote { if c == "\"" { inQuote = false }; continue }
            if inBracket {
                if c == "]" { inBracket = false }
                continue
            }
            switch c {
            case "\\", "_", "*": escaped = true
            case "\"": inQuote = true
            case "[":
                inBracket = true
            default: plain.append(c)
            }
        }
        let lower = plain.lowercased()
        // [h]:mm durations are times too.
        let bracketTime = code.lowercased().contains("[h") || code.lowercased().contains("[m") || code.lowercased().contains("[s")
        let date = lower.contains { "ymd".contains($0) }
        let time = lower.contains { "hs".contains($0) } || bracketTime
        return (date || time, time)
    }
}
