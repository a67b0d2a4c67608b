import CRMCore

/// `crm copy` into and out of PostgreSQL: rows read in id order a page at a time, written
/// with COPY FROM STDIN, ids kept; the identity sequences continue after the largest id.
extension PostgresStore: CopyableStore {
    public var copyKind: String { "PostgreSQL" }

    static func copySQL(_ table: CopyTable) -> (table: String, columns: [String], order: String) {
        let q = PostgresDDL.quote
        switch table {
        case .entity(let e):
            return (q(e.name), ["id"] + e.fields.map { q($0.name) } + ["created", "updated"], "id")
        case .audit:
            return ("_crm_audit", ["id", "at", "\"user\"", "action", "entity", "record_id", "field", "old", "new", "via"], "id")
        case .meta:
            return ("_crm_meta", ["key", "value"], "key")
        case .series(let s):
            return (q(s.name), s.columns.map(q), "\(q(s.key)), \(q(s.time))")
        case .grants:
            return ("_crm_grant", ["\"user\"", "\"right\"", "entity"], "\"user\", \"right\", entity")
        case .accessLog:
            return ("_crm_access_log", ["id", "at", "\"user\"", "how", "entity", "record_id", "\"rows\"", "fields"], "id")
        }
    }

    public func copyCount(_ table: CopyTable) throws -> Int {
        let sql = PostgresStore.copySQL(table)
        if case .meta = table {
            return try reading { try run("SELECT key FROM _crm_meta").rows.compactMap { $0[0] }.filter(CopyTable.copiesMetaKey).count }
        }
        return try reading { Int(try run("SELECT count(*) FROM \(sql.table)").value(0, 0) ?? "0") ?? 0 }
    }

    /// Through a server-side cursor (`FETCH 5000`), in a READ ONLY transaction of its own
    /// (or a savepoint of the caller's): a million rows or readings are never held at once,
    /// and the table is read as of one moment.
    public func copyScan(_ table: CopyTable, _ body: ([Value]) throws -> Void) throws {
        let sql = PostgresStore.copySQL(table)
        let types = table.types
        let cursor = "crm_copy_\(UInt32.random(in: 0..<UInt32.max))"
        func scan() throws {
            try connection.execute("DECLARE \(cursor) NO SCROLL CURSOR FOR SELECT \(sql.columns.joined(separator: ", ")) FROM \(sql.table) ORDER BY \(sql.order)")
            while true {
                let batch = try connection.execute("FETCH \(PostgresStore.streamBatch) FROM \(cursor)")
                for row in batch.rows {
                    if case .meta = table, let key = row[0], !CopyTable.copiesMetaKey(key) { continue }
                    try body(types.enumerated().map { PostgresValue.value(row[$0.offset], $0.element) })
                }
                if batch.rowCount < PostgresStore.streamBatch { break }
            }
            try connection.execute("CLOSE \(cursor)")
        }
        if connection.inTransaction {
            try reading(scan)
        } else {
            try connection.transaction(readOnly: true, attempts: 1, scan)
        }
    }

    /// Tables in the store's schema that are neither crm's, an entity's, its find grams nor a series'.
    public func copyUncopiedTables() throws -> [(name: String, rows: Int)] {
        let known = Set(schema.entities.flatMap { [$0.name, "_crm_find_\($0.name)"] } + (try allSeries()).map(\.name)
                        + ["_crm_schema", "_crm_audit", "_crm_meta", "_crm_grant", "_crm_access_log"])
        let names = try run("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
            .rows.compactMap { $0[0] }
        var out: [(name: String, rows: Int)] = []
        for name in names where !known.contains(name) {
            let n = Int(try run("SELECT count(*) FROM \(PostgresDDL.quote(name))").value(0, 0) ?? "0") ?? 0
            if n > 0 { out.append((name, n)) }
        }
        return out
    }

    public func copyClear() throws {
        let series = try allSeries().map { PostgresDDL.quote($0.name) }
        let tables = schema.entities.map { PostgresDDL.quote($0.name) } + series + ["_crm_audit", "_crm_grant", "_crm_access_log"]
        // The find grams go with their records (ON DELETE CASCADE does it row by row).
        let grams = schema.entities.filter { !$0.searchFields.isEmpty }.map { PostgresDDL.quote("_crm_find_\($0.name)") }
        try run("TRUNCATE \((grams + tables).joined(separator: ", "))")
        try run("DELETE FROM _crm_meta WHERE key NOT LIKE 'find:%'")
    }

    public func copyInsert(_ table: CopyTable, _ rows: [[Value]]) throws {
        let sql = PostgresStore.copySQL(table)
        let types = table.types
        _ = try connection.copyIn("COPY \(sql.table) (\(sql.columns.joined(separator: ", "))) FROM STDIN") { writer in
            for row in rows {
                try writer.row(zip(row, types).map { PostgresValue.copyText($0, $1) })
            }
        }
        guard case .entity(let e) = table, !e.searchFields.isEmpty else { return }
        let columns = e.searchFields.compactMap { name in e.fields.firstIndex { $0.name == name }.map { $0 + 1 } }
        _ = try connection.copyIn("COPY \(PostgresDDL.quote("_crm_find_\(e.name)")) (gram, id) FROM STDIN") { writer in
            for row in rows {
                guard case .integer(let number) = row[0] else { continue }
                let id = String(number)
                var seen = Set<String>()
                for gram in StoreParts.findGrams(of: columns.map { row[$0].displayText }) where seen.insert(gram).inserted {
                    try writer.row([gram, id])
                }
            }
        }
    }

    /// The foreign keys between entity tables are dropped while the rows go in and added
    /// back after (which checks every row at once), so records may point forward or in a
    /// cycle. All inside the copy's transaction: a failure leaves the constraints as they were.
    public func copyingRows(_ body: () throws -> Void) throws {
        let tables = schema.entities.map { PostgresDDL.quote($0.name) }
        guard !tables.isEmpty else { return try body() }
        let list = tables.map { "to_regclass(\(PostgresDDL.literal($0)))" }.joined(separator: ", ")
        let keys = try run("""
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE contype = 'f' AND conrelid IN (\(list)) AND confrelid IN (\(list)) ORDER BY conrelid::regclass::text, conname
            """).rows.compactMap { row -> (table: String, name: String, definition: String)? in
                guard let t = row[0], let n = row[1], let d = row[2] else { return nil }
                return (t, n, d)
            }
        for key in keys { try run("ALTER TABLE \(key.table) DROP CONSTRAINT \(PostgresDDL.quote(key.name))") }
        try body()
        for key in keys {
            try run("ALTER TABLE \(key.table) ADD CONSTRAINT \(PostgresDDL.quote(key.name)) \(key.definition)")
        }
    }

    /// Each identity continues after the largest id copied (setval); an empty table starts at 1.
    public func copyFinish() throws {
        for table in schema.entities.map({ PostgresDDL.quote($0.name) }) + ["_crm_audit", "_crm_access_log"] {
            try run("SELECT setval(pg_get_serial_sequence(?, 'id'), coalesce((SELECT max(id) FROM \(table)), 0) + 1, false)",
                    [table])
        }
    }
}
