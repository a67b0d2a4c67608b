/// How a private value is shown to a role without the right to see it.
///
/// Text keeps its first and last characters around stars (`138****1111`,
/// `110105********002X`): enough to tell two numbers apart on the phone, not to dial one.
public enum Mask {
    public enum Kind: String, Sendable { case text, email, date, number }

    /// The kind of masking a field gets.
    public static func kind(of f: FieldDefinition) -> Kind {
        switch f.type {
        case .date, .datetime, .month: return .date
        case .integer, .decimal, .money: return .number
        default: return f.name.contains("email") || f.pattern == CoreEntities.emailPattern ? .email : .text
        }
    }

    /// The masked form of `text`.
    public static func apply(_ text: String, _ kind: Kind) -> String {
        switch kind {
        case .date: return "****-**-**"
        case .number: return "****"
        case .email:
            guard let at = text.lastIndex(of: "@") else { return apply(text, .text) }
            let local = text[..<at]
            return String(local.prefix(1)) + "***" + String(text[at...])
        case .text:
            // Counted in code points, as SQLite's length() and substr() count them.
            let chars = Array(text.unicodeScalars)
            let n = chars.count
            if n <= 4 { return String(repeating: "*", count: n) }
            let tail = 4
            let head = min(6, (n - tail) / 2)
            var out = String.UnicodeScalarView(chars[0..<head])
            out.append(contentsOf: String(repeating: "*", count: n - head - tail).unicodeScalars)
            out.append(contentsOf: chars[(n - tail)...])
            return String(out)
        }
    }

    /// The same masking as an SQLite expression over `column` (NULL stays NULL): what
    /// the policy's views select, so a masked listing calls no function per row.
    public static func sqliteExpression(_ column: String, _ kind: Kind) -> String {
        let masked: String
        switch kind {
        case .date: masked = "'****-**-**'"
        case .number: masked = "'****'"
        case .text: masked = textExpression(column)
        case .email:
            // rtrim(x, x-without-@) keeps x up to its last '@'; its length is that '@''s place.
            let at = "length(rtrim(\(column), replace(\(column), '@', '')))"
            masked = "CASE WHEN \(at) = 0 THEN \(textExpression(column)) "
                + "ELSE substr(\(column), 1, min(1, \(at) - 1)) || '***' || substr(\(column), \(at)) END"
        }
        return "CASE WHEN \(column) IS NULL THEN NULL ELSE \(masked) END"
    }

    /// `apply(_, .text)` in SQLite: the head, stars, the last four (all stars up to four).
    static func textExpression(_ column: String) -> String {
        let n = "length(\(column))"
        let head = "min(6, (\(n) - 4) / 2)"
        func stars(_ count: String) -> String { "replace(hex(zeroblob(\(count))), '00', '*')" }
        return "CASE WHEN \(n) <= 4 THEN \(stars(n)) "
            + "ELSE substr(\(column), 1, \(head)) || \(stars("\(n) - \(head) - 4")) || substr(\(column), -4) END"
    }
}
