/// The policy over past pictures (`crm.as_of`, `crm.get_as_of`, docs/access.md).
///
/// A past record is shown exactly as the caller would see the same record now: its
/// visibility and an owner's unmasked private fields are judged on the record's
/// current row (its current owner), never on the rebuilt past values, so a record the
/// caller may not see now never appears, however it stood then. A record deleted
/// since has no current row: it appears only to callers who see every row of its entity.
extension AccessPolicy {
    /// The condition that the past row `alias` (with an `id` column) of `entity` is
    /// visible now; nil when every row is.
    func pastVisibleCondition(_ entity: String, _ alias: String, paths: Paths, dialect: PolicyDialect = .sqlite) -> String? {
        guard may(.read, entity) else { return dialect.never }
        guard let now = visibleCondition(entity, "_now", paths: paths, dialect: dialect) else { return nil }
        return "EXISTS (SELECT 1 FROM \(dialect.table(entity)) AS _now WHERE _now.id = \(alias).id AND \(now))"
    }

    /// Whether the caller owns the past row `alias` of `entity`'s record now.
    func pastOwnCondition(_ entity: String, _ alias: String, paths: Paths, dialect: PolicyDialect = .sqlite) -> String {
        "EXISTS (SELECT 1 FROM \(dialect.table(entity)) AS _now WHERE _now.id = \(alias).id AND \(ownCondition(entity, "_now", paths: paths, dialect: dialect)))"
    }

    /// The expression a past column is shown as: as `columnExpression`, the ownership
    /// judged on the record's current row.
    func pastColumnExpression(_ f: FieldDefinition, of entity: String, _ alias: String, paths: Paths,
                              dialect: PolicyDialect = .sqlite) -> String {
        let column = "\(alias).\(quotedName(f.name))"
        guard f.isPrivate, !seesUnmasked(f, of: entity) else { return column }
        let masked = dialect.mask(column, Mask.kind(of: f))
        if role.privateFields == .none { return masked }
        return "CASE WHEN \(pastOwnCondition(entity, alias, paths: paths, dialect: dialect)) THEN \(dialect.shown(column, f)) ELSE \(masked) END"
    }

    /// The SELECT of a past picture's rows as the caller sees them, from the unrestricted
    /// picture `table` (columns id, the fields, created, updated); nil when the caller
    /// sees every row of it unmasked.
    public func pastSelect(_ e: EntityDefinition, from table: String, schema: Schema, dialect: PolicyDialect = .sqlite) -> String? {
        guard !isUnrestricted else { return nil }
        let paths = AccessPolicy.customerPaths(schema)
        let condition = pastVisibleCondition(e.name, "_t", paths: paths, dialect: dialect)
        guard condition != nil || !seesPrivate(of: e) else { return nil }
        let columns = ["_t.\"id\""] + e.fields.map { pastColumnExpression($0, of: e.name, "_t", paths: paths, dialect: dialect) + " AS \(quotedName($0.name))" }
            + ["_t.\"created\"", "_t.\"updated\""]
        var select = "SELECT \(columns.joined(separator: ", ")) FROM \(table) AS _t"
        if let condition { select += " WHERE \(condition)" }
        return select
    }
}
