import GRDB

/// A plugin query that passed `select(sql:…)`'s checks, kept for its next run: a rule's
/// query runs once per imported row, and compiling it, checking what it reads and
/// typing its columns cost more than running it.
struct CheckedSelect {
    /// The scope it was checked against (a reader's scope changes with the schema only).
    var tables: Set<String>?
    /// The column types, as `originTypes` found them.
    var origins: [FieldType?]
}

extension SQLiteStore {
    /// The compiled statement for `sql`, refused as `select(sql:…)` documents, with its
    /// column types. Checked once per SQL and reader while the schema stays the same;
    /// the statement itself comes from GRDB's cache (recompiled by SQLite after DDL).
    func checkedStatement(sql: String, scope: ReadScope?, _ db: Database) throws -> (Statement, [FieldType?]) {
        let key = (scope?.reader ?? "") + "\u{1}" + sql
        if let checked = checkedSelects[key], checked.tables == scope?.tables {
            return (try db.cachedStatement(sql: sql), checked.origins)
        }
        let verb = SQLiteStore.leadingKeyword(sql)
        guard ["SELECT", "WITH", "VALUES"].contains(verb) else {
            let what = verb.isEmpty ? "this statement" : verb
            throw QueryError("SQL: \(what) is not allowed here: only one read-only SELECT (or WITH … SELECT) runs; "
                             + "transactions, savepoints, ATTACH, PRAGMA and maintenance belong to crm")
        }
        try SQLiteStore.requireOneStatement(sql, db)
        let statement: Statement
        do {
            statement = try db.cachedStatement(sql: sql)
        } catch let error as DatabaseError {
            throw QueryError("SQL: \(error.message ?? "\(error)")")
        }
        guard statement.isReadonly else {
            throw QueryError("SQL: only read-only statements (select) are allowed here; this one writes")
        }
        if let scope { try check(statement.databaseRegion, against: scope, db) }
        let origins = SQLiteStore.originTypes(of: statement, sql: sql, schema: schema, masked: maskedAmountTypes, db)
        // A query reading a past picture (`crm.as_of`) reads a table that comes and goes.
        if !sql.lowercased().contains("asof_") {
            checkedSelects[key] = CheckedSelect(tables: scope?.tables, origins: origins)
        }
        return (statement, origins)
    }
}
