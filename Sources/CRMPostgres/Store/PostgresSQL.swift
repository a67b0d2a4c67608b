/// SQL text as crm writes it (`?` placeholders, shared with SQLite) made ready for the server.
enum PostgresSQL {
    /// `?` placeholders numbered `$1`, `$2` … in order; a `?` inside a quoted string,
    /// a quoted name or a comment is left alone.
    static func numbered(_ sql: String) -> String { numbered(sql, arguments: []).sql }

    /// The same for a statement and its arguments, where a placeholder tested only for
    /// NULL (`? is null`, `? is not null`, the usual optional report parameter) becomes
    /// the literal NULL or 0 and leaves the argument list: PostgreSQL cannot tell the type
    /// of a parameter used only there ("could not determine data type of parameter $1").
    static func numbered(_ sql: String, arguments: [String?]) -> (sql: String, arguments: [String?]) {
        var kept: [String?] = []
        var index = 0
        let text = numbering(sql) { rest in
            defer { index += 1 }
            let argument = index < arguments.count ? arguments[index] : nil
            if index < arguments.count, isNullTest(rest) { return argument == nil ? "NULL" : "0" }
            if index < arguments.count { kept.append(argument) }
            return nil
        }
        return (text, arguments.isEmpty ? [] : kept + (arguments.count > index ? Array(arguments[index...]) : []))
    }

    /// Whether the text after a placeholder starts with `is null` or `is not null`.
    static func isNullTest(_ rest: Substring) -> Bool {
        let words = rest.prefix(16).lowercased().split(whereSeparator: { $0.isWhitespace }).prefix(3)
        guard words.first == "is" else { return false }
        let second = words.dropFirst().first.map(String.init) ?? ""
        if second.hasPrefix("null") { return true }
        return second == "not" && (words.dropFirst(2).first.map { $0.hasPrefix("null") } ?? false)
    }

    /// Walks the placeholders outside quotes and comments; `replacement(rest)` may give
    /// the text for one (nil: the next `$n`).
    static func numbering(_ sql: String, _ replacement: (Substring) -> String?) -> String {
        guard sql.utf8.contains(63) else { return sql }
        var out = ""
        out.reserveCapacity(sql.utf8.count + 16)
        var n = 0
        var quote: Character?
        var lineComment = false
        var previous: Character = " "
        var i = sql.startIndex
        while i < sql.endIndex {
            let c = sql[i]
            let next = sql.index(after: i)
            if lineComment {
                if c == "\n" { lineComment = false }
            } else if let q = quote {
                if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
            } else if c == "-" && previous == "-" {
                lineComment = true
            } else if c == "?" {
                if let literal = replacement(sql[next...]) {
                    out += literal
                } else {
                    n += 1
                    out += "$\(n)"
                }
                previous = c
                i = next
                continue
            }
            out.append(c)
            previous = c
            i = next
        }
        return out
    }
}
