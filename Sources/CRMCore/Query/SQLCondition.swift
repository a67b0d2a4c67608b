/// A compiled filter before it becomes SQL text: conditions joined by AND / OR / NOT.
///
/// SQLite's parser holds only about 30 levels of parentheses and its expression trees at
/// most 1000 levels, so the text is shaped to stay shallow: negations are pushed down to
/// the comparisons (De Morgan, exact in SQL's three-valued logic), and a long chain is
/// written as flat groups of `groupSize` terms rather than one pair of parentheses per
/// term. What is still too deep is refused with a message, never sent to SQLite.
indirect enum SQLCondition {
    case leaf(String)
    case all([SQLCondition])
    case any([SQLCondition])
    case not(SQLCondition)

    /// Terms joined without parentheses inside one group.
    static let groupSize = 32
    /// Levels of parentheses the SQL may have; SQLite's parser stack allows a little more.
    static let maxParentheses = 24

    static let tooDeep = QueryError("the filter is too complex for the database: once simplified, its 'and' and 'or' "
                                    + "still nest more than \(maxParentheses) levels deep")

    /// The same condition with every NOT directly on a comparison.
    func negationsPushedDown(negated: Bool = false) -> SQLCondition {
        switch self {
        case .leaf: return negated ? .not(self) : self
        case .not(let inner): return inner.negationsPushedDown(negated: !negated)
        case .all(let parts):
            let pushed = parts.map { $0.negationsPushedDown(negated: negated) }
            return negated ? .any(pushed) : .all(pushed)
        case .any(let parts):
            let pushed = parts.map { $0.negationsPushedDown(negated: negated) }
            return negated ? .all(pushed) : .any(pushed)
        }
    }

    /// The SQL text; throws when it would nest deeper than SQLite can parse.
    func sql(depth: Int = 0) throws -> String {
        guard depth <= SQLCondition.maxParentheses else { throw SQLCondition.tooDeep }
        switch self {
        case .leaf(let s): return s
        case .not(let inner): return "NOT (\(try inner.sql(depth: depth + 1)))"
        case .all(let parts): return try SQLCondition.joined(parts, "AND", depth: depth)
        case .any(let parts): return try SQLCondition.joined(parts, "OR", depth: depth)
        }
    }

    /// `(a OR b OR …)` for up to `groupSize` terms; longer lists as groups of groups.
    static func joined(_ parts: [SQLCondition], _ op: String, depth: Int) throws -> String {
        if parts.count == 1 { return try parts[0].sql(depth: depth) }
        var texts: [String] = []
        for part in parts { texts.append(try part.sql(depth: depth + 1)) }
        var level = depth + 1
        while texts.count > groupSize {
            level += 1
            guard level <= maxParentheses else { throw tooDeep }
            texts = stride(from: 0, to: texts.count, by: groupSize).map { start in
                "(" + texts[start..<min(start + groupSize, texts.count)].joined(separator: " \(op) ") + ")"
            }
        }
        return "(" + texts.joined(separator: " \(op) ") + ")"
    }
}
