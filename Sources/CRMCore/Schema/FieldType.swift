/// The type of a field: how it is stored, compared, typed in and shown.
public enum FieldType: Hashable, Sendable, Codable {
    case text
    case integer
    /// An exact decimal with `scale` digits after the point, stored as a scaled integer.
    case decimal(scale: Int)
    /// An amount of money: an exact decimal with two digits after the point.
    case money
    case date
    /// A calendar month, stored as `YYYY-MM` text (see `Month`).
    case month
    /// An instant, stored in UTC, typed and shown in local time.
    case datetime
    case bool
    /// One of a fixed list of values.
    case enumeration([String])
    /// The id of a record of another entity.
    case reference(String)
    case json

    /// The word a person reads in `describe` and in error messages.
    public var name: String {
        switch self {
        case .text: return "text"
        case .integer: return "integer"
        case .decimal(let s): return "decimal(\(s))"
        case .money: return "money"
        case .date: return "date"
        case .month: return "month"
        case .datetime: return "datetime"
        case .bool: return "bool"
        case .enumeration(let values): return "enum(\(values.joined(separator: ", ")))"
        case .reference(let target): return "reference → \(target)"
        case .json: return "json"
        }
    }

    /// What a value of this type looks like, for "expected …" messages.
    public var expectation: String {
        switch self {
        case .text: return "text"
        case .integer: return "a whole number"
        case .decimal(let s): return "a number with at most \(s) decimal places"
        case .money: return "an amount with at most 2 decimal places"
        case .date: return "a date like 2026-11-22, today, -7d or +2w"
        case .month: return "a month like 2026-11, this-month, last-month, -1m or +2m"
        case .datetime: return "a date and time like '2026-11-22 09:30', now or -2d"
        case .bool: return "yes or no"
        case .enumeration(let values): return "one of: \(values.joined(separator: ", "))"
        case .reference(let target): return "the id of a \(target)"
        case .json: return "valid JSON"
        }
    }

    /// Digits after the point for exact decimal types, nil for others.
    public var scale: Int? {
        switch self {
        case .decimal(let s): return s
        case .money: return 2
        default: return nil
        }
    }

    /// True for types shown right-aligned and summed in reports.
    public var isNumeric: Bool {
        switch self {
        case .integer, .decimal, .money: return true
        default: return false
        }
    }

    /// The SQL column type.
    var sqlType: String {
        switch self {
        case .integer, .decimal, .money, .bool, .reference: return "INTEGER"
        case .text, .date, .month, .datetime, .enumeration, .json: return "TEXT"
        }
    }
}
