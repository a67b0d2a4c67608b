import GRDB

extension Value {
    /// The value as SQLite stores it in a column of the given type.
    func databaseValue(for type: FieldType) -> DatabaseValue {
        switch self {
        case .null: return .null
        case .integer(let i): return i.databaseValue
        case .decimal(let f):
            let scale = type.scale ?? f.scale
            // Scaled integers: exact, and SUM/ORDER BY work in SQL. Writes have passed
            // `Validation.checkStorable`, so this always fits; should it not, the exact
            // text is kept rather than a wrong number.
            guard let stored = f.rescaled(to: scale) else { return f.description.databaseValue }
            return stored.units.databaseValue
        case .bool(let b): return (b ? 1 : 0).databaseValue
        case .text(let s), .date(let s), .datetime(let s), .json(let s): return s.databaseValue
        }
    }

    /// Reads a stored column back into a typed value.
    init(database value: DatabaseValue, type: FieldType) {
        if value.isNull { self = .null; return }
        switch type {
        case .integer, .reference:
            self = Int64.fromDatabaseValue(value).map(Value.integer) ?? .text(String(describing: value))
        case .decimal, .money:
            // (Text here is a masked amount, `****`: see Access/Mask.swift.)
            self = Int64.fromDatabaseValue(value).map { .decimal(Fixed(units: $0, scale: type.scale!)) }
                ?? .text(String.fromDatabaseValue(value) ?? String(describing: value))
        case .bool:
            self = .bool((Int64.fromDatabaseValue(value) ?? 0) != 0)
        case .date:
            self = .date(String.fromDatabaseValue(value) ?? "")
        case .datetime:
            self = .datetime(String.fromDatabaseValue(value) ?? "")
        case .json:
            self = .json(String.fromDatabaseValue(value) ?? "")
        case .text, .enumeration, .month:
            self = .text(String.fromDatabaseValue(value) ?? String(describing: value))
        }
    }
}

extension Value {
    /// A value from a raw SQL result with no field type to guide it (read-only queries):
    /// integers stay integers, reals become decimals to 2 places (half away from zero), text stays text.
    init(sqlite value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let i): self = .integer(i)
        case .double(let d):
            // Past 18 digits (or inf/nan) a real is shown as SQLite gave it, never as 0.
            self = Fixed(rounding: d, scale: 2).map(Value.decimal) ?? .text(String(d))
        case .string(let s): self = .text(s)
        case .blob(let b): self = .text("<\(b.count) bytes>")
        }
    }
}
