import GRDB

extension SQLiteStore {
    /// Runs `body` (a bulk load of about `rows` records into `entity`, inside a transaction)
    /// with the entity's non-unique indexes built after the rows are in, when the table is
    /// small next to the load: SQLite then sorts each index once (CREATE INDEX) instead of
    /// inserting into it row by row, at random places. The indexes are dropped and created
    /// again in the same transaction, so a rollback leaves them as they were and a commit
    /// never shows the table without them.
    ///
    /// Unique indexes stay (the checks of each row look values up in them), and so does
    /// everything when rules or computed fields watch the entity (their queries would lose
    /// their indexes halfway) or the table already holds more than `rows` records (the
    /// incremental case: rebuilding would cost more than it saves), or the entity refers
    /// to itself (a row's reference by title is looked up in the table being loaded).
    public func buildingIndexesAfter<T>(_ entity: String, rows: Int, _ body: () throws -> T) throws -> T {
        let result = try loadingWithIndexesAfter(entity, rows: rows, body)
        // The planner's statistics follow the table's growth (SQLiteStore+Statistics). Only
        // after a load that went in: its access also surfaces the background writer's errors.
        try analyseAfterBulkLoad(entity)
        return result
    }

    func loadingWithIndexesAfter<T>(_ entity: String, rows: Int, _ body: () throws -> T) throws -> T {
        let e = try schema.require(entity)
        guard atomicDepth > 0 || insideTransaction, rows >= SQLiteStore.deferredIndexMinimum,
              rules?.watches(.create, e.name) != true, rules?.watches(.update, e.name) != true,
              !e.fields.contains(where: { $0.type == .reference(e.name) }),
              computeGraph.map({ $0.graph.computed(of: e.name).isEmpty && !$0.graph.affectsOthers(e.name) }) ?? true
        else { return try body() }
        let deferred: [(name: String, sql: String)] = try access { db in
            let held = try Int64.fetchOne(db, sql: "SELECT max(id) FROM \(quoted(e.name))") ?? 0
            guard held <= Int64(rows) else { return [] }
            let indexes = try Row.fetchAll(db, sql: """
                SELECT name, sql FROM sqlite_master
                WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'
                ORDER BY name
                """, arguments: [e.name]).map { (name: $0[0] as String, sql: $0[1] as String) }
            for index in indexes { try db.execute(sql: "DROP INDEX \(quoted(index.name))") }
            return indexes
        }
        if deferred.isEmpty { return try body() }
        let result = try body()
        try access { db in
            for index in deferred { try db.execute(sql: index.sql) }
        }
        return result
    }

    /// Below this many rows a load keeps its indexes: building them afterwards saves
    /// too little to pay for reading the table again.
    static let deferredIndexMinimum = 1_000
}
