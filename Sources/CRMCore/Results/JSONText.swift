/// Minimal, exact JSON text for values: strings escaped per RFC 8259, decimals written
/// digit for digit (never through a binary float).
public enum JSONText {
    /// A JSON string literal for `s`, quotes included.
    public static func string(_ s: String) -> String {
        var out = ""
        appendString(s, to: &out)
        return out
    }

    /// Appends the JSON string literal for `s` (audit rows write one per field of every
    /// imported record, so text with nothing to escape is copied whole).
    static func appendString(_ s: String, to out: inout String) {
        // U+2028/2029 are E2 80 A8/A9 in UTF-8: any 0xE2 byte takes the careful path.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0xE2 }) {
            out += "\""
            out += s
            out += "\""
            return
        }
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// The JSON literal for a value: numbers and booleans typed, dates and text as strings,
    /// JSON values embedded as they are.
    public static func literal(_ value: Value) -> String {
        switch value {
        case .null: return "null"
        case .integer(let i): return String(i)
        case .decimal(let f): return f.description
        case .bool(let b): return b ? "true" : "false"
        case .text(let s), .date(let s), .datetime(let s): return string(s)
        case .json(let s): return s
        }
    }

    /// A compact JSON object of name/value pairs, in the given order.
    public static func object(_ pairs: [(String, Value)]) -> String {
        var out = "{"
        out.reserveCapacity(pairs.count * 24)
        for (i, (name, value)) in pairs.enumerated() {
            if i > 0 { out += "," }
            appendString(name, to: &out)
            out += ":"
            switch value {
            case .text(let s), .date(let s), .datetime(let s): appendString(s, to: &out)
            default: out += literal(value)
            }
        }
        return out + "}"
    }
}
