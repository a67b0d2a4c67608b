/// A filter as written after `where`, before it meets the schema.
///
/// Field names and literals are kept as typed (with their positions in the input) and
/// are checked and converted against the entity's fields when the filter is compiled.
public indirect enum Filter: Equatable, Sendable, Codable {
    case and(Filter, Filter)
    case or(Filter, Filter)
    case not(Filter)
    /// `field op literal`, e.g. `city = 上海`, `created > -7d`.
    case compare(FieldRef, CompareOp, Literal)
    /// `field ~ literal`: contains, case-insensitive.
    case contains(FieldRef, Literal)
    /// `field in (a, b, …)`.
    case isIn(FieldRef, [Literal])
    /// `field is null` (negated: `field is not null`).
    case isNull(FieldRef, negated: Bool)
    /// `in SEGMENT`: the customers of a saved segment (or, for an entity with a
    /// `customer` field, the records whose customer is in it).
    case segment(String, position: Int)
}

/// A comparison operator of the filter language.
public enum CompareOp: String, Sendable, CaseIterable, Codable {
    case eq = "=", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
}

/// A field name as typed, with where it stands in the input (0-based character offset).
public struct FieldRef: Equatable, Sendable, Codable {
    public var name: String
    public var position: Int
    public init(_ name: String, position: Int = 0) {
        self.name = name
        self.position = position
    }
}

/// A literal as typed: its text (quotes removed) and whether it was quoted.
///
/// A quoted literal is always text: `'today'` is the word, `today` is the date.
public struct Literal: Equatable, Sendable, Codable {
    public var text: String
    public var quoted: Bool
    public var position: Int
    public init(_ text: String, quoted: Bool = false, position: Int = 0) {
        self.text = text
        self.quoted = quoted
        self.position = position
    }
}
