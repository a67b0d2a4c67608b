import CRMCore

/// Value → text for each output family, in one place.
enum CellText {
    /// What a table cell shows: one line, local times, no control characters.
    static func display(_ v: Value) -> String {
        let s = v.displayText
        guard s.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\t" }) else { return terminalSafe(s) }
        return terminalSafe(s.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\t", with: " "))
    }

    /// True for a C0 control, DEL or a C1 control: what a terminal may act on (colours,
    /// titles, cursor moves, OSC 8 links, clearing the screen) instead of showing.
    static func isControl(_ v: UInt32) -> Bool { v < 0x20 || (0x7F...0x9F).contains(v) }

    /// Text with every control character written out: ESC as `\e`, other C0 and DEL as
    /// `\x07`, C1 as `\u{9b}`; newlines and tabs too (callers that keep lines split first).
    /// Data shown in table, vertical and `show` output goes through here, never raw.
    /// `keepingLines` leaves newlines and tabs as they are (multi-line messages).
    static func terminalSafe(_ s: String, keepingLines: Bool = false) -> String {
        func escapes(_ v: UInt32) -> Bool { isControl(v) && !(keepingLines && (v == 0x0A || v == 0x09)) }
        guard s.unicodeScalars.contains(where: { escapes($0.value) }) else { return s }
        var out = String.UnicodeScalarView()
        for scalar in s.unicodeScalars {
            let v = scalar.value
            guard escapes(v) else { out.append(scalar); continue }
            let escaped: String
            switch v {
            case 0x1B: escaped = "\\e"
            case 0x00..<0x20, 0x7F: escaped = "\\x" + (v < 0x10 ? "0" : "") + String(v, radix: 16)
            default: escaped = "\\u{" + String(v, radix: 16) + "}"
            }
            out.append(contentsOf: escaped.unicodeScalars)
        }
        return String(out)
    }

    /// The characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
    static let formulaStarts: Set<Character> = ["=", "+", "-", "@", "\t", "\r"]

    /// A CSV field for a file a person may open in a spreadsheet: text starting with
    /// `= + - @`, tab or CR gets a leading `'`, so it stays text. Numbers and money are
    /// data (`-12.50` is a number, not a formula) and are written as they are.
    static func spreadsheetSafe(_ v: Value) -> String {
        let s = plain(v)
        switch v {
        case .text, .json:
            guard let first = s.first, formulaStarts.contains(first) || first == "\r\n" else { return s }
            return "'" + s
        default:
            return s
        }
    }

    /// What a CSV field holds: exact, machine-readable (UTC datetimes, true/false).
    static func plain(_ v: Value) -> String {
        switch v {
        case .bool(let b): return b ? "true" : "false"
        case .datetime(let s): return s
        default: return v.displayText
        }
    }

    /// One RFC 4180 CSV field.
    static func csvField(_ s: String) -> String {
        let needsQuotes = s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            || s.first == " " || s.last == " "
        return needsQuotes ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    static func csvLine(_ fields: [String]) -> String {
        fields.map(csvField).joined(separator: ",") + "\n"
    }
}
