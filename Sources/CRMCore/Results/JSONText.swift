/// Minimal, exact JSON text for values: strings escaped per RFC 8259, decimals written
/// digit for digit (never through a binary float).
public enum JSONText {
    /// A JSON string literal for `s`, quotes included.
    public static func string(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
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
        return out + "\""
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
        "{" + pairs.map { string($0.0) + ":" + literal($0.1) }.joined(separator: ",") + "}"
    }
}
