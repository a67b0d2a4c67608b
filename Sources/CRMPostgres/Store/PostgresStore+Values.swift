import CRMCore

/// Values as the server reads and writes them, in text form.
///
/// The stored forms are the SQLite store's: money and decimals as integer units, times as
/// UTC, so a copy between the two moves them exactly.
enum PostgresValue {
    /// The text bound for a value of a field of `type` (nil is NULL).
    static func parameter(_ value: Value, _ type: FieldType) -> String? {
        switch value {
        case .null: return nil
        case .integer(let i): return String(i)
        case .decimal(let f):
            let scale = type.scale ?? f.scale
            guard let stored = f.rescaled(to: scale) else { return f.description }
            return String(stored.units)
        case .bool(let b): return b ? "true" : "false"
        case .text(let s), .date(let s), .datetime(let s), .json(let s): return s
        }
    }

    /// The text of a value in a `COPY … FROM STDIN` row (nil is NULL).
    static func copyText(_ value: Value, _ type: FieldType) -> String? {
        if case .bool(let b) = value { return b ? "t" : "f" }
        return parameter(value, type)
    }

    /// A column of a field as the server sends it, back into a typed value.
    static func value(_ text: String?, _ type: FieldType) -> Value {
        guard let text else { return .null }
        switch type {
        case .integer, .reference:
            return Int64(text).map(Value.integer) ?? .text(text)
        case .decimal, .money:
            return Int64(text).map { .decimal(Fixed(units: $0, scale: type.scale!)) } ?? .text(text)
        case .bool:
            return .bool(text == "t" || text == "true")
        case .date:
            return .date(text)
        case .datetime:
            return .datetime(utcText(text))
        case .json:
            return .json(text)
        case .text, .enumeration, .month:
            return .text(text)
        }
    }

    /// `2026-11-22 10:00:00+00` (timestamptz in a UTC session) as crm's stored form
    /// `2026-11-22T10:00:00Z`; fractions of a second are dropped.
    static func utcText(_ text: String) -> String {
        let u = Array(text.utf8)
        guard u.count >= 19, u[10] == 32 else { return text }
        return String(decoding: u[0..<10], as: UTF8.self) + "T" + String(decoding: u[11..<19], as: UTF8.self) + "Z"
    }

    /// A column of a raw `select` by its type OID: integers stay integers, numeric and
    /// floating point become decimals to 2 places, yes/no 1 or 0 (as SQLite gives them),
    /// times crm's UTC form, everything else text.
    static func selected(_ text: String?, oid: UInt32) -> Value {
        guard let text else { return .null }
        switch oid {
        case 20, 21, 23, 26:  // int8, int2, int4, oid
            return Int64(text).map(Value.integer) ?? .text(text)
        case 16:  // bool
            return .integer(text == "t" ? 1 : 0)
        case 1700 where !text.contains(".") && !text.contains("e"):
            // A whole numeric (sum or count of bigint) is an integer, as SQLite's sum of
            // integers: money summed in a subquery stays in cents on both engines.
            if let n = Int64(text) { return .integer(n) }
            if let d = Double(text), let f = Fixed(rounding: d, scale: 2) { return .decimal(f) }
            return .text(text)
        case 700, 701, 1700:  // float4, float8, numeric
            if let d = Double(text), let f = Fixed(rounding: d, scale: 2) { return .decimal(f) }
            return .text(text)
        case 1184, 1114:  // timestamptz, timestamp
            return .text(utcText(text))
        default:
            return .text(text)
        }
    }
}
