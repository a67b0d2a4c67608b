/// SQL text as crm writes it (`?` placeholders, shared with SQLite) made ready for the server.
enum PostgresSQL {
    /// `?` placeholders numbered `$1`, `$2` … in order; a `?` inside a quoted string,
    /// a quoted name or a comment is left alone.
    static func numbered(_ sql: String) -> String {
        guard sql.utf8.contains(63) else { return sql }
        var out = ""
        out.reserveCapacity(sql.utf8.count + 16)
        var n = 0
        var quote: Character?
        var lineComment = false
        var previous: Character = " "
        for c in sql {
            if lineComment {
                if c == "\n" { lineComment = false }
            } else if let q = quote {
                if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
            } else if c == "-" && previous == "-" {
                lineComment = true
            } else if c == "?" {
                n += 1
                out += "$\(n)"
                previous = c
                continue
            }
            out.append(c)
            previous = c
        }
        return out
    }
}
