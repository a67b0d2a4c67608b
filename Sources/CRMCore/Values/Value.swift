/// A value as the store holds it and the shell shows it.
///
/// Money and decimals are exact (`Fixed`), never binary floats. Dates are
/// `YYYY-MM-DD`; datetimes are stored in UTC as `YYYY-MM-DDTHH:MM:SSZ`.
public enum Value: Hashable, Sendable {
    case null
    case integer(Int64)
    case decimal(Fixed)
    case text(String)
    case bool(Bool)
    case date(String)
    case datetime(String)
    /// Raw JSON text, already validated.
    case json(String)

    /// True for `.null`.
    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// The value as plain text, the way a person reads it (null is empty).
    ///
    /// Datetimes are shown in the local time zone, to the minute.
    public var displayText: String {
        switch self {
        case .null: return ""
        case .integer(let i): return String(i)
        case .decimal(let d): return d.description
        case .text(let s): return s
        case .bool(let b): return b ? "yes" : "no"
        case .date(let s): return s
        case .datetime(let s): return DateCodec.localDisplay(utc: s)
        case .json(let s): return s
        }
    }
}
