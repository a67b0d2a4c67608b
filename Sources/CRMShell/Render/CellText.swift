import CRMCore

/// Value → text for each output family, in one place.
enum CellText {
    /// What a table cell shows: one line, local times.
    static func display(_ v: Value) -> String {
        let s = v.displayText
        guard s.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\t" }) else { return s }
        return s.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\t", with: " ")
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
