/// How big a filter may be: parsers and the compiler refuse anything larger with a
/// clear message instead of running out of stack (ours or SQLite's).
public enum FilterLimits {
    /// Levels of `(` and `not` one inside the other.
    public static let maxDepth = 100
    /// Comparisons in one filter; each value of an `in (…)` list counts as one.
    public static let maxConditions = 1000

    /// The message for a filter nested deeper than `maxDepth`, at a 0-based position if known.
    public static func depthMessage(at position: Int? = nil) -> String {
        "the filter is nested too deeply\(column(position)): at most \(maxDepth) levels of '(' and 'not'"
    }

    /// The message for a filter with more than `maxConditions` conditions.
    public static func conditionsMessage(at position: Int? = nil) -> String {
        "the filter has too many conditions\(column(position)): at most \(maxConditions) (each value of an 'in' list counts)"
    }

    static func column(_ position: Int?) -> String { position.map { " at column \($0 + 1)" } ?? "" }
}
