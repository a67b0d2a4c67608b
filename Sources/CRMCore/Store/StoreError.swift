import Foundation

/// What can go wrong in the store, with enough context to say what and where in one line.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    case unknownEntity(String, suggestion: String?)
    case unknownField(entity: String, field: String, suggestion: String?)
    case invalidValue(entity: String, field: String, value: String, expected: String)
    case unknownEnumValue(entity: String, field: String, value: String, allowed: [String])
    case requiredMissing(entity: String, field: String)
    case readOnlyField(entity: String, field: String)
    case outOfRange(entity: String, field: String, value: String, bound: String)
    case patternMismatch(entity: String, field: String, value: String, pattern: String)
    case tooLong(entity: String, field: String, maxLength: Int)
    /// A value over the size any one value may have (`Validation.maxValueBytes`).
    case tooLarge(entity: String, field: String, bytes: Int, limit: Int)
    case uniqueTaken(entity: String, fields: [String], value: String, existingID: Int64?)
    case notFound(entity: String, id: Int64)
    case referenceMissing(entity: String, field: String, target: String, id: Int64)
    /// A reference given by key or title that matched no record, or more than one.
    case referenceUnresolved(entity: String, field: String, reason: String)
    case stillReferenced(entity: String, id: Int64, by: [(entity: String, field: String, count: Int)])
    case transaction(String)
    case incompatibleMigration(entity: String, field: String, reason: String)
    case database(String)

    public var description: String {
        switch self {
        case .unknownEntity(let name, let s):
            return "unknown entity '\(name)'" + (s.map { " (did you mean '\($0)'?)" } ?? "")
        case .unknownField(let e, let f, let s):
            return "\(e) has no field '\(f)'" + (s.map { " (did you mean '\($0)'?)" } ?? "")
        case .invalidValue(let e, let f, let v, let expected):
            return "\(e).\(f): '\(Self.clip(v))' is not valid, expected \(expected)"
        case .unknownEnumValue(let e, let f, let v, let allowed):
            return "\(e).\(f): '\(Self.clip(v))' is not allowed, expected one of: \(allowed.joined(separator: ", "))"
        case .requiredMissing(let e, let f):
            return "\(e).\(f) is required"
        case .readOnlyField(let e, let f):
            return "\(e).\(f) is set by the system and cannot be written"
        case .outOfRange(let e, let f, let v, let bound):
            return "\(e).\(f): \(v) is out of range (\(bound))"
        case .patternMismatch(let e, let f, let v, let pattern):
            return "\(e).\(f): '\(Self.clip(v))' does not match the pattern \(pattern)"
        case .tooLong(let e, let f, let n):
            return "\(e).\(f) is longer than \(n) characters"
        case .tooLarge(let e, let f, let bytes, let limit):
            return "\(e).\(f): the value is \(Self.size(bytes)), over the limit of \(Self.size(limit)) for one value"
        case .uniqueTaken(let e, let fields, let v, let id):
            let owner = id.map { " by \(e) \($0)" } ?? ""
            return "\(e).\(fields.joined(separator: "+")) '\(Self.clip(v))' is already taken\(owner)"
        case .notFound(let e, let id):
            return "\(e) \(id) does not exist"
        case .referenceMissing(let e, let f, let target, let id):
            return "\(e).\(f): \(target) \(id) does not exist"
        case .referenceUnresolved(let e, let f, let reason):
            return "\(e).\(f): \(reason)"
        case .stillReferenced(let e, let id, let by):
            let list = by.map { "\($0.count) \($0.entity) (\($0.entity).\($0.field))" }.joined(separator: ", ")
            return "cannot delete \(e) \(id): still referenced by \(list)"
        case .transaction(let m):
            return m
        case .incompatibleMigration(let e, let f, let reason):
            return "cannot migrate \(e).\(f): \(reason)"
        case .database(let m):
            return m
        }
    }

    /// The database itself failed (a full disk, I/O, a transaction SQLite ended), as
    /// opposed to a value or a record being refused.
    public var isDatabaseFailure: Bool {
        switch self {
        case .database, .transaction: return true
        default: return false
        }
    }

    /// A byte count as a person reads it: `1 MiB`, `1048577 bytes`, `12.5 MiB`.
    static func size(_ bytes: Int) -> String {
        if bytes % (1 << 20) == 0 && bytes > 0 { return "\(bytes >> 20) MiB" }
        if bytes < 10 << 20 { return "\(bytes) bytes" }
        return String(format: "%.1f MiB", Double(bytes) / 1_048_576)
    }

    /// Keeps huge values out of one-line messages.
    public static func clip(_ s: String) -> String {
        s.count > 60 ? String(s.prefix(57)) + "…" : s
    }

    public static func == (a: StoreError, b: StoreError) -> Bool { a.description == b.description }
}
