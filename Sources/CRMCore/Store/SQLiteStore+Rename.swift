import GRDB

extension SQLiteStore {
    /// Renames the stored entities that definitions now give a new name
    /// (`EntityDefinition.formerly`), before they are installed.
    ///
    /// Only the same owner's entity is renamed, and only while the new name is not stored
    /// yet: a database made before the rename keeps its records, references to them, its
    /// find index and its audit trail under the new name; any later start finds nothing to do.
    func renameFormerEntities(_ definitions: [EntityDefinition]) throws {
        let renames = definitions.compactMap { e -> (old: EntityDefinition, new: String)? in
            guard let former = e.formerly, former != e.name, schema.entity(named: e.name) == nil,
                  let old = schema.entity(named: former), old.owner == e.owner else { return nil }
            return (old, e.name)
        }
        guard !renames.isEmpty else { return }
        var planned = schema
        try atomically {
            try access { db in
                for (old, new) in renames {
                    try rename(old, to: new, db)
                    planned.remove(named: old.name)
                    var renamed = old
                    renamed.name = new
                    planned.put(renamed)
                    // Other entities' references follow (SQLite rewrites their REFERENCES clauses).
                    for (e, _) in planned.references(to: old.name) {
                        var changed = e
                        changed.fields = e.fields.map { f in
                            var f = f
                            if f.type == .reference(old.name) { f.type = .reference(new) }
                            return f
                        }
                        planned.put(changed)
                        try saveDefinition(changed, db)
                    }
                    try saveDefinition(renamed, db)
                }
            }
        }
        schema = planned
        insertSQLCache = [:]
        behindStatements = [:]
        defaultValues = [:]
    }

    private func rename(_ old: EntityDefinition, to new: String, _ db: Database) throws {
        guard try !db.tableExists(new) else {
            throw StoreError.incompatibleMigration(entity: new, field: "",
                                                   reason: "it was '\(old.name)' but a table '\(new)' already exists")
        }
        try db.execute(sql: "ALTER TABLE \(quoted(old.name)) RENAME TO \(quoted(new))")
        // Indexes are named after the entity: drop the old names, `migrate` creates the new ones.
        let indexes = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                                          arguments: [new])
        for name in indexes where name.hasPrefix("idx_\(old.name)_") {
            try db.execute(sql: "DROP INDEX \(quoted(name))")
        }
        let oldFind = FindIndex.table(old.name), newFind = FindIndex.table(new)
        if try db.tableExists(oldFind) {
            try db.execute(sql: "ALTER TABLE \(quoted(oldFind)) RENAME TO \(quoted(newFind))")
            try db.execute(sql: "UPDATE _crm_meta SET key = ? WHERE key = ?", arguments: ["find:\(new)", "find:\(old.name)"])
        }
        try db.execute(sql: "UPDATE _crm_audit SET entity = ? WHERE entity = ?", arguments: [new, old.name])
        try db.execute(sql: "DELETE FROM _crm_schema WHERE entity = ?", arguments: [old.name])
    }
}
