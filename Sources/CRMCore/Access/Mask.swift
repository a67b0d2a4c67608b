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
            let chars = Array(text)
            let n = chars.count
            if n <= 4 { return String(repeating: "*", count: n) }
            let tail = 4
            let head = min(6, (n - tail) / 2)
            return String(chars[0..<head]) + String(repeating: "*", count: n - head - tail) + String(chars[(n - tail)...])
        }
    }
}
