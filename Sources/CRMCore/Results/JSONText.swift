/// Minimal, exact JSON text for values: strings escaped per RFC 8259, decimals written
/// digit for digit (never through a binary float).
public enum JSONText {
    /// A JSON string literal for `s`, quotes included.
    public static func string(_ s: String) -> String {
        var out: [UInt8] = []
        appendString(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the JSON string literal for `s` as UTF-8 (audit rows write one per field
    /// of every imported record, so the common case is a straight copy of the bytes).
    static func appendString(_ s: String, to out: inout [UInt8]) {
        let start = out.count
        out.append(0x22)
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0xE2 }) {
            out.append(contentsOf: s.utf8)
            out.append(0x22)
            return
        }
        for b in s.utf8 {
            switch b {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x0A: out.append(0x5C); out.append(0x6E)
            case 0x0D: out.append(0x5C); out.append(0x72)
            case 0x09: out.append(0x5C); out.append(0x74)
            case 0..<0x20: out.append(contentsOf: Array("\\u00".utf8)); out.append(hex(b >> 4)); out.append(hex(b & 15))
            default: out.append(b)
            }
        }
        // U+2028 and U+2029 (E2 80 A8/A9) are valid JSON but not valid JavaScript.
        if s.utf8.contains(0xE2) { escapeLineSeparators(&out, from: start) }
        out.append(0x22)
    }

    private static func hex(_ n: UInt8) -> UInt8 { n < 10 ? 48 + n : 87 + n }

    /// Rewrites E2 80 A8/A9 in what was appended from `start` on.
    private static func escapeLineSeparators(_ out: inout [UInt8], from start: Int) {
        var i = start
        var result = Array(out[..<i])
        while i < out.count {
            if out[i] == 0xE2, i + 2 < out.count, out[i + 1] == 0x80, out[i + 2] == 0xA8 || out[i + 2] == 0xA9 {
                result.append(contentsOf: Array((out[i + 2] == 0xA8 ? "\\u2028" : "\\u2029").utf8))
                i += 3
            } else {
                result.append(out[i])
                i += 1
            }
        }
        out = result
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
        var out: [UInt8] = [0x7B]
        out.reserveCapacity(pairs.count * 24)
        for (i, (name, value)) in pairs.enumerated() {
            if i > 0 { out.append(0x2C) }
            appendMember(name, value, to: &out)
        }
        out.append(0x7D)
        return String(decoding: out, as: UTF8.self)
    }

    /// A compact JSON object of the non-null values, named by position.
    public static func object(names: [String], values: [Value]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(names.count * 24)
        appendObject(names: names, values: values, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends that object as UTF-8 (bulk imports reuse one buffer for every record).
    static func appendObject(names: [String], values: [Value], to out: inout [UInt8]) {
        out.append(0x7B)
        var first = true
        for i in values.indices where !values[i].isNull {
            if !first { out.append(0x2C) }
            first = false
            appendMember(names[i], values[i], to: &out)
        }
        out.append(0x7D)
    }

    /// Appends `"name":value`.
    static func appendMember(_ name: String, _ value: Value, to out: inout [UInt8]) {
        appendString(name, to: &out)
        out.append(0x3A)
        switch value {
        case .text(let s), .date(let s), .datetime(let s): appendString(s, to: &out)
        default: out.append(contentsOf: literal(value).utf8)
        }
    }
}
