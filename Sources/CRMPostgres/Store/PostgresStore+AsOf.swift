import Foundation
import CRMCore

/// Records and tables as they stood at the end of a past day, rebuilt from `_crm_audit`
/// with the SQLite store's rules (`PastState`, `SQLiteStore.cutoff`): a record created
/// later is absent, one deleted later comes back from its delete row, a changed field
/// takes the old value of its earliest later change.
///
/// `_crm_audit.at` is a `timestamptz`; the cutoff (UTC text such as
/// `2026-10-31T16:00:00Z`, the next local midnight of the day) is compared as one, so the
/// session's time zone does not matter.
extension PostgresStore: PastReading {
    /// One record as it stood at the end of `date` (`YYYY-MM-DD`, local), or nil when it did
    /// not exist then; `date` may be an instant (`2026-03-01T01:00:00Z`, `2026-03-01 01:00`).
    public func record(_ entity: String, id: Int64, asOf date: String) throws -> Record? {
        try recomputeBeforeRead()
        let e = try schema.require(entity)
        let cutoff = try SQLiteStore.requireEndOfDay(date)
        let past = try inOneSnapshot { () -> Record? in
            let rows = try run("""
                SELECT action, field, old FROM _crm_audit
                WHERE entity = ? AND record_id = ? AND at >= ?::timestamptz ORDER BY id DESC
                """, [e.name, String(id), cutoff]).rows
            let current = try fetchRecord(e, id: id, lock: false)
            guard !rows.isEmpty else { return current }
            var state = PastState()
            for row in rows { state.undo(action: row[0] ?? "", field: row[1], old: row[2], entity: e) }
            if state.absent { return nil }
            guard var values = state.base ?? current?.values else { return nil }
            for (name, value) in state.fields {
                values[name] = value.isNull ? nil : value
            }
            return Record(entity: e.name, id: id, values: values)
        }
        guard let past, let seen = try seenNow(e, past) else { return nil }
        try logPrivateRead(e, fields: e.fields.map(\.name), rows: 1, id: id)
        return seen
    }

    /// Builds the session's temporary table (`pg_temp`) holding `entity` as it stood at the
    /// end of `date` (or just after an instant) and returns its name, as on SQLite
    /// (`asof_loan_20261031`, `asof_loan_20260301T010000`), for `select`; the table itself
    /// is named in lower case, as PostgreSQL reads the unquoted name.
    ///
    /// Its columns are the entity's, typed as its own table's (money in units as `bigint`,
    /// dates `date`, …), with `id` as primary key. It is filled by one INSERT … SELECT from
    /// the entity's table, then the audit rows written after the moment are undone with a
    /// DELETE, an INSERT and an UPDATE per changed field, each over `unnest` arrays, and
    /// analyzed for the planner. A second call for the same entity and moment builds it
    /// again; it lives until the connection closes.
    public func materializeAsOf(_ entity: String, date: String) throws -> String {
        try recomputeBeforeRead()
        let e = try schema.require(entity)
        let cutoff = try SQLiteStore.requireEndOfDay(date)
        let name = "asof_\(e.name)_" + String(date.filter { $0.isNumber || $0 == "T" })
        guard name.utf8.count <= 63 else {
            throw QueryError("as of '\(date)': the table name \(name) is longer than PostgreSQL's 63 bytes (entity \(e.name))")
        }
        // Created lower-case: SQL names it unquoted (`from asof_loan_20260301T010000`), which
        // PostgreSQL folds to lower case.
        let table = "pg_temp." + PostgresDDL.quote(name.lowercased())
        let columns = ["id"] + e.fields.map { PostgresDDL.quote($0.name) } + ["created", "updated"]
        let list = columns.joined(separator: ", ")
        try inOneSnapshot {
            try run("DROP TABLE IF EXISTS \(table)")
            let definitions = ["id bigint PRIMARY KEY"]
                + e.fields.map { "\(PostgresDDL.quote($0.name)) \(PostgresDDL.columnType($0.type))" }
                + ["created timestamptz", "updated timestamptz"]
            try run("CREATE TEMPORARY TABLE \(table) (\(definitions.joined(separator: ", ")))")
            try run("INSERT INTO \(table) (\(list)) SELECT \(list) FROM \(PostgresDDL.quote(e.name))")

            // Undo, newest first, what was written after the moment.
            let audit = try run("""
                SELECT action, record_id, field, old FROM _crm_audit
                WHERE entity = ? AND at >= ?::timestamptz ORDER BY id DESC
                """, [e.name, cutoff])
            var states: [Int64: PastState] = [:]
            for row in audit.rows {
                guard let id = row[1].flatMap({ Int64($0) }) else { continue }
                states[id, default: PastState()].undo(action: row[0] ?? "", field: row[2], old: row[3], entity: e)
            }
            if !states.isEmpty { try undo(states, e, into: table) }
            try restrictPicture(e, table)
            try run("ANALYZE \(table)")
        }
        return name
    }

    /// Keeps in the picture only what the caller's policy shows of it
    /// (`AccessPolicy.pastSelect`: the rows they see now, private fields masked unless they
    /// see them now), so `select` of the picture shows no more than the entity does.
    private func restrictPicture(_ e: EntityDefinition, _ table: String) throws {
        let dialect = PolicyDialect.postgres(schema: storeSchema)
        guard let policy, let select = policy.pastSelect(e, from: "pg_temp._crm_asof_whole", schema: schema, dialect: dialect) else { return }
        try run("DROP TABLE IF EXISTS pg_temp._crm_asof_whole")
        try run("ALTER TABLE \(table) RENAME TO _crm_asof_whole")
        try run("CREATE TEMPORARY TABLE \(table) AS \(select)")
        try run("DROP TABLE pg_temp._crm_asof_whole")
    }

    /// The past record as the caller may see it: nil for a record they do not see now (a
    /// deleted one unless they see every row of its entity), private fields masked unless
    /// they see them now (judged on the current row, as `pastSelect`).
    func seenNow(_ e: EntityDefinition, _ past: Record) throws -> Record? {
        guard let policy, !policy.isUnrestricted else { return past }
        let now = try reading { try fetchRecord(e, id: past.id, lock: false) }
        if now == nil {
            guard policy.seesEveryRow(of: e.name, schema) else { return nil }
        } else if try !isVisible(e, id: past.id) {
            return nil
        }
        let masker = try historyMasking(e, id: past.id)
        var values = past.values
        for f in e.fields where f.isPrivate {
            guard let v = values[f.name], !v.isNull else { continue }
            let shown = masker(v.displayText, f.name)
            if shown != v.displayText { values[f.name] = .text(shown) }
        }
        return Record(entity: e.name, id: past.id, values: values)
    }

    /// Writes the undone states into the picture `table`, in batches over arrays.
    private func undo(_ states: [Int64: PastState], _ e: EntityDefinition, into table: String) throws {
        let ids = states.keys.sorted()
        let gone = ids.filter { states[$0]!.absent || states[$0]!.base != nil }
        let back = ids.filter { !states[$0]!.absent && states[$0]!.base != nil }
        for chunk in PostgresStore.chunks(gone) {
            try run("DELETE FROM \(table) WHERE id = ANY(?::bigint[])", [PostgresStore.array(chunk.map { String($0) })])
        }
        if !back.isEmpty {
            // Deleted after the moment: back from the delete row, changes before it undone.
            let names = ["id"] + e.fields.map { PostgresDDL.quote($0.name) }
            let casts = ["u.c0::bigint"] + e.fields.indices.map { "u.c\($0 + 1)::\(PostgresDDL.columnType(e.fields[$0].type))" }
            let arrays = names.indices.map { _ in "?::text[]" }.joined(separator: ", ")
            let aliases = names.indices.map { "c\($0)" }.joined(separator: ", ")
            let sql = """
                INSERT INTO \(table) (\(names.joined(separator: ", "))) \
                SELECT \(casts.joined(separator: ", ")) FROM unnest(\(arrays)) AS u(\(aliases))
                """
            for chunk in PostgresStore.chunks(back) {
                var arguments = [PostgresStore.array(chunk.map { String($0) })]
                for f in e.fields {
                    arguments.append(PostgresStore.array(chunk.map { id -> String? in
                        let state = states[id]!
                        return PostgresValue.parameter(state.fields[f.name] ?? state.base?[f.name] ?? .null, f.type)
                    }))
                }
                try run(sql, arguments)
            }
        }
        // Changed after the moment (and still there): each field's old value, one UPDATE per field.
        let kept = ids.filter { !states[$0]!.absent && states[$0]!.base == nil && !states[$0]!.fields.isEmpty }
        for f in e.fields {
            let changed = kept.filter { states[$0]!.fields[f.name] != nil }
            let sql = """
                UPDATE \(table) AS t SET \(PostgresDDL.quote(f.name)) = u.v::\(PostgresDDL.columnType(f.type)) \
                FROM unnest(?::bigint[], ?::text[]) AS u(id, v) WHERE t.id = u.id
                """
            for chunk in PostgresStore.chunks(changed) {
                try run(sql, [PostgresStore.array(chunk.map { String($0) }),
                              PostgresStore.array(chunk.map { PostgresValue.parameter(states[$0]!.fields[f.name]!, f.type) })])
            }
        }
    }

    /// Runs `body` on one snapshot of the database: a REPEATABLE READ transaction of its
    /// own, or a savepoint of the open one (nothing of a failed body is kept).
    func inOneSnapshot<T>(_ body: () throws -> T) throws -> T {
        if connection.inTransaction { return try reading(body) }
        return try connection.transaction(.repeatableRead) { try body() }
    }

    /// `ids` in slices of at most 10 000, the rows one statement's arrays carry.
    static func chunks<T>(_ items: [T]) -> [ArraySlice<T>] {
        stride(from: 0, to: items.count, by: 10_000).map { items[$0..<min($0 + 10_000, items.count)] }
    }

    /// `{"a",NULL,"b"}`: a text[] (or, cast, bigint[]) literal; nil is NULL.
    static func array(_ items: [String?]) -> String {
        "{" + items.map { item in
            guard let item else { return "NULL" }
            return "\"" + item.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }.joined(separator: ",") + "}"
    }
}
