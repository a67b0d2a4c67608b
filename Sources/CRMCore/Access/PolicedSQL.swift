/// What SQL may not say while an access policy is in force (`crm.query`, `select`).
///
/// The policy's views (SQLite) and WITH queries (PostgreSQL) take the entity tables'
/// names, so a plain `customer` reads the caller's rows. A name qualified by the schema
/// behind them (`main.customer`, `public.customer`) would read the table itself, and on
/// PostgreSQL some functions run SQL given as text (`query_to_xml`) or change where names
/// are looked up (`set_config`): those are refused before the statement runs. Strings,
/// quoted names and comments are skipped as the engines tokenize them; where the two
/// differ the check sees more words, never fewer (it may refuse, never miss).
public enum PolicedSQL {
    /// Throws when `sql` qualifies a name by one of `schemas` (compared case-insensitively)
    /// or calls one of `functions` (lower-case names; a name ending in `*` is a prefix).
    /// `example` is the schema the message shows.
    public static func refuse(_ sql: String, schemas: Set<String>, functions: Set<String>, example: String) throws {
        let chars = Array(sql.unicodeScalars)
        var i = 0
        var lastWord: String?
        func skipSpace() {
            while i < chars.count {
                if chars[i].properties.isWhitespace { i += 1; continue }
                if chars[i] == "-", i + 1 < chars.count, chars[i + 1] == "-" {
                    while i < chars.count, chars[i] != "\n" { i += 1 }
                    continue
                }
                if chars[i] == "/", i + 1 < chars.count, chars[i + 1] == "*" {
                    i += 2
                    while i + 1 < chars.count, !(chars[i] == "*" && chars[i + 1] == "/") { i += 1 }
                    i += 2
                    continue
                }
                break
            }
        }
        func isWordChar(_ c: Unicode.Scalar) -> Bool {
            c.properties.isAlphabetic || c.properties.numericType != nil || c == "_" || c == "$"
        }
        let lowered = Set(schemas.map { $0.lowercased() })
        while true {
            skipSpace()
            guard i < chars.count else { break }
            let c = chars[i]
            var word: String?
            if c == "'" {
                // PostgreSQL's E'…' strings escape with a backslash.
                let escapes = i > 0 && (chars[i - 1] == "e" || chars[i - 1] == "E") && (i < 2 || !isWordChar(chars[i - 2]))
                i += 1
                while i < chars.count {
                    if escapes, chars[i] == "\\" { i += 2; continue }
                    if chars[i] == "'" { if i + 1 < chars.count, chars[i + 1] == "'" { i += 2; continue }; break }
                    i += 1
                }
                i += 1
            } else if c == "\"" || c == "`" || c == "[" {
                if c == "\"", i > 0, chars[i - 1] == "&" {
                    throw QueryError("SQL: U&\"…\" names are not allowed here: they could hide a name that reads past your access rights")
                }
                let close: Unicode.Scalar = c == "[" ? "]" : c
                var text = ""
                i += 1
                while i < chars.count {
                    if chars[i] == close {
                        if close != "]", i + 1 < chars.count, chars[i + 1] == close { text.unicodeScalars.append(close); i += 2; continue }
                        break
                    }
                    text.unicodeScalars.append(chars[i]); i += 1
                }
                i += 1
                word = text
            } else if c.properties.isAlphabetic || c == "_" {
                var text = ""
                while i < chars.count, isWordChar(chars[i]) { text.unicodeScalars.append(chars[i]); i += 1 }
                word = text
            } else {
                if c == ".", let last = lastWord, lowered.contains(last.lowercased()) {
                    throw QueryError("SQL: the schema name '\(last)' is not allowed here: it would read past your access rights "
                                     + "(name the table alone: customer, not \(example).customer)")
                }
                i += 1
            }
            if let word {
                let name = word.lowercased()
                if functions.contains(name) || functions.contains(where: { $0.hasSuffix("*") && name.hasPrefix($0.dropLast()) }) {
                    var j = i
                    while j < chars.count, chars[j].properties.isWhitespace { j += 1 }
                    if j < chars.count, chars[j] == "(" {
                        throw QueryError("SQL: \(name)() is not allowed here: it would read past your access rights")
                    }
                }
            }
            lastWord = word
        }
    }
}
