/// How the policy's SQL is spelled for one store: where an entity's rows are read from
/// (past the views of the same name), the false condition, and the masking expressions.
/// The conditions themselves (scopes through the customer, own rows) are `AccessPolicy`'s.
public struct PolicyDialect: Sendable {
    /// The table behind an entity, qualified so that the policy's own view of that name
    /// is not read instead (`main."customer"`, `"public"."customer"`).
    public var table: @Sendable (String) -> String
    /// A condition no row meets.
    public var never: String
    /// The masked form of `column` (NULL stays NULL).
    public var mask: @Sendable (String, Mask.Kind) -> String
    /// `column` as shown beside its masked form in one CASE (PostgreSQL: as text, the
    /// masked form's type).
    public var shown: @Sendable (String, FieldDefinition) -> String

    /// SQLite: tables in `main`, temporary views shadowing them.
    public static let sqlite = PolicyDialect(table: { "main." + quotedName($0) }, never: "0",
                                             mask: { Mask.sqliteExpression($0, $1) }, shown: { c, _ in c })

    /// PostgreSQL: tables in `schema` (the store's), temporary views in `pg_temp`.
    public static func postgres(schema: String) -> PolicyDialect {
        PolicyDialect(table: { quotedName(schema) + "." + quotedName($0) }, never: "false",
                      mask: { Mask.postgresExpression($0, $1) },
                      shown: { c, f in f.type == .text ? c : "\(c)::text" })
    }
}

extension Mask {
    /// `sqliteExpression` in PostgreSQL (text; NULL stays NULL): the same characters kept,
    /// counted in code points as `char_length` counts them.
    public static func postgresExpression(_ column: String, _ kind: Kind) -> String {
        let text = "\(column)::text"
        let masked: String
        switch kind {
        case .date: masked = "'****-**-**'"
        case .number: masked = "'****'"
        case .text: masked = postgresText(text)
        case .email:
            // The last '@' is at char_length - strpos(reverse(x), '@') + 1.
            let back = "strpos(reverse(\(text)), '@')"
            let at = "(char_length(\(text)) - \(back) + 1)"
            masked = "CASE WHEN \(back) = 0 THEN \(postgresText(text)) "
                + "ELSE substr(\(text), 1, least(1, \(at) - 1)) || '***' || substr(\(text), \(at)) END"
        }
        return "CASE WHEN \(column) IS NULL THEN NULL ELSE \(masked) END"
    }

    /// `apply(_, .text)` in PostgreSQL.
    static func postgresText(_ text: String) -> String {
        let n = "char_length(\(text))"
        let head = "least(6, (\(n) - 4) / 2)"
        return "CASE WHEN \(n) <= 4 THEN repeat('*', \(n)) "
            + "ELSE substr(\(text), 1, \(head)) || repeat('*', \(n) - \(head) - 4) || right(\(text), 4) END"
    }
}
