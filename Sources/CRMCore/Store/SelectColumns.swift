/// The result columns of a SELECT's outermost select list, as text, for knowing which
/// are aggregates of a field: `sum(amount)`, `max(p.amount) as last`,
/// `coalesce(sum(amount), 0)`.
///
/// A small scanner, not a parser: it skips strings, quoted names, comments and
/// parentheses, finds the first SELECT at the top level (after any WITH) and its FROM,
/// and splits the list between them at top-level commas. Anything it does not follow
/// simply yields no aggregate.
struct SelectColumns {
    /// An aggregate of one column: the column reference as written (`p.amount`).
    struct Aggregate: Equatable {
        var function: String
        var column: String
    }

    /// Where the outermost select list's FROM starts.
    let fromStart: String.Index
    /// Each result column's expression text (alias included).
    let items: [Substring]

    init?(_ sql: String) {
        var depth = 0
        var select: String.Index?
        var listStart: String.Index?
        var from: String.Index?
        var items: [Substring] = []
        var i = sql.startIndex
        while i < sql.endIndex, from == nil {
            let c = sql[i]
            switch c {
            case "'", "\"", "`":
                i = SelectColumns.after(quote: c, in: sql, from: i)
                continue
            case "[":
                i = sql[i...].firstIndex(of: "]").map { sql.index(after: $0) } ?? sql.endIndex
                continue
            case "-" where sql[i...].hasPrefix("--"):
                i = sql[i...].firstIndex(of: "\n") ?? sql.endIndex
                continue
            case "/" where sql[i...].hasPrefix("/*"):
                i = sql[i...].range(of: "*/")?.upperBound ?? sql.endIndex
                continue
            case "(": depth += 1
            case ")": depth -= 1
            case "," where depth == 0 && listStart != nil:
                items.append(sql[listStart!..<i])
                listStart = sql.index(after: i)
            default:
                if c.isLetter || c == "_" {
                    let end = sql[i...].firstIndex { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == "$") } ?? sql.endIndex
                    let word = sql[i..<end].uppercased()
                    if depth == 0 {
                        if word == "SELECT", select == nil { select = i; listStart = end }
                        else if word == "FROM", listStart != nil { items.append(sql[listStart!..<i]); from = i }
                    }
                    i = end
                    continue
                }
            }
            i = sql.index(after: i)
        }
        guard select != nil, let from else { return nil }
        fromStart = from
        self.items = items
    }

    static func after(quote: Character, in sql: String, from start: String.Index) -> String.Index {
        var i = sql.index(after: start)
        while i < sql.endIndex {
            if sql[i] == quote {
                let next = sql.index(after: i)
                if next < sql.endIndex, sql[next] == quote { i = sql.index(after: next); continue }  // '' inside
                return next
            }
            i = sql.index(after: i)
        }
        return sql.endIndex
    }

    /// The aggregate an item is, if it is `f(col)`, `f(distinct col)` or
    /// `coalesce(f(col), 0)` with f one of sum, total, min, max, avg, and an optional alias.
    static func aggregate(_ item: Substring) -> Aggregate? {
        // Most items are plain columns: no call, nothing to match.
        guard item.contains("(") else { return nil }
        for regex in aggregatePatterns {
            guard let m = try? regex.wholeMatch(in: item),
                  let f = m.output[1].substring, let column = m.output[2].substring else { continue }
            return Aggregate(function: f.lowercased(), column: String(column))
        }
        return nil
    }

    /// `f(col)` and `coalesce(f(col), 0)`, each with an optional alias; compiled once
    /// (compiling a Regex costs more than the query it looks at).
    nonisolated(unsafe) static let aggregatePatterns: [Regex<AnyRegexOutput>] = {
        let name = #"(?:[A-Za-z_][A-Za-z0-9_]*|"[^"]+")"#
        let call = #"(sum|total|min|max|avg)\s*\(\s*(?:distinct\s+)?("# + name + #"(?:\s*\.\s*"# + name + #")?)\s*\)"#
        let alias = #"(?:\s+(?:as\s+)?"# + name + #")?\s*"#
        return [#"^\s*"# + call + alias + "$", #"^\s*coalesce\s*\(\s*"# + call + #"\s*,\s*0(?:\.0*)?\s*\)"# + alias + "$"]
            .map { try! Regex($0).ignoresCase() }
    }()

    /// The column an item names when it is a bare column reference (`balance`,
    /// `l.balance`, `l.balance AS b`), unquoted and lowercased; nil for any expression.
    static func bareColumn(_ item: Substring) -> String? {
        guard let m = try? bareColumnPattern.wholeMatch(in: item), let name = m.output[1].substring else { return nil }
        return name.hasPrefix("\"") ? String(name.dropFirst().dropLast()).lowercased() : name.lowercased()
    }

    nonisolated(unsafe) static let bareColumnPattern: Regex<AnyRegexOutput> = {
        let name = #"(?:[A-Za-z_][A-Za-z0-9_]*|"[^"]+")"#
        return try! Regex(#"^\s*(?:"# + name + #"\s*\.\s*)?("# + name + #")(?:\s+(?:as\s+)?"# + name + #")?\s*$"#).ignoresCase()
    }()

    /// The statement with the aggregated column itself added last to its select list,
    /// so SQLite can tell where it comes from (aliases the rest uses in ORDER BY or
    /// HAVING stay defined): prepared, never run.
    func probe(_ sql: String, column: String) -> String {
        String(sql[..<fromStart]) + ", " + column + " " + String(sql[fromStart...])
    }
}
