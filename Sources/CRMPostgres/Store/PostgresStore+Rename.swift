import Foundation
import CRMCore

extension PostgresStore {
    /// The stored entities that definitions now give a new name (`EntityDefinition.formerly`),
    /// as on SQLite: only the same owner's entity, and only while the new name is not stored.
    func plannedRenames(_ definitions: [EntityDefinition]) -> [(old: EntityDefinition, new: String)] {
        definitions.compactMap { e -> (old: EntityDefinition, new: String)? in
            guard let former = e.formerly, former != e.name, schema.entity(named: e.name) == nil,
                  let old = schema.entity(named: former), old.owner == e.owner else { return nil }
            return (old, e.name)
        }
    }

    /// Renames them inside the caller's transaction: the table (foreign keys follow it on
    /// the server), its id sequence, indexes and constraints named after the entity, its
    /// find-gram table, its audit rows, and the stored definitions, its own and those of
    /// the entities referencing it. A database made before the rename keeps its records
    /// under the new name; any later start finds nothing to do.
    func renameFormerEntities(_ renames: [(old: EntityDefinition, new: String)]) throws {
        try run("SELECT pg_advisory_xact_lock(1129466183)")
        var planned = schema
        for (old, new) in renames {
            guard try run("SELECT to_regclass(?) IS NULL", [PostgresDDL.quote(new)]).value(0, 0) == "t" else {
                throw StoreError.incompatibleMigration(entity: new, field: "",
                                                       reason: "it was '\(old.name)' but a table '\(new)' already exists")
            }
            try run("ALTER TABLE \(PostgresDDL.quote(old.name)) RENAME TO \(PostgresDDL.quote(new))")
            try renameOwned(table: new, from: old.name, to: new)
            let oldFind = "_crm_find_\(old.name)", newFind = "_crm_find_\(new)"
            if try run("SELECT to_regclass(?) IS NOT NULL", [PostgresDDL.quote(oldFind)]).value(0, 0) == "t" {
                try run("ALTER TABLE \(PostgresDDL.quote(oldFind)) RENAME TO \(PostgresDDL.quote(newFind))")
                try renameOwned(table: newFind, from: oldFind, to: newFind)
            }
            try run("UPDATE _crm_audit SET entity = ? WHERE entity = ?", [new, old.name])
            planned.remove(named: old.name)
            var renamed = old
            renamed.name = new
            planned.put(renamed)
            try run("UPDATE _crm_schema SET entity = ? WHERE entity = ?", [new, old.name])
            try saveDefinition(renamed)
            // Other entities' references follow (the foreign keys already do).
            for (e, _) in planned.references(to: old.name) {
                var changed = e
                changed.fields = e.fields.map { f in
                    var f = f
                    if f.type == .reference(old.name) { f.type = .reference(new) }
                    return f
                }
                planned.put(changed)
                try saveDefinition(changed)
            }
        }
        schema = planned
    }

    /// Renames the indexes, constraints and identity sequence of `table` whose names start
    /// with `old` + `_` (`idx_deposit_code_unique`, `deposit_pkey`, `deposit_status_check`,
    /// `deposit_id_seq`), so that later migrations find them under the new name.
    private func renameOwned(table: String, from old: String, to new: String) throws {
        let quotedTable = PostgresDDL.quote(table)
        func renamed(_ name: String, prefix: String) -> String {
            String((prefix == old ? new : "idx_\(new)") + name.dropFirst(prefix.count)).prefix(63).description
        }
        let constraints = try run("SELECT conname FROM pg_constraint WHERE conrelid = to_regclass(?) ORDER BY conname", [quotedTable])
            .rows.compactMap { $0[0] }
        var done = Set<String>()
        for name in constraints {
            for prefix in [old, "idx_\(old)"] where name.hasPrefix(prefix + "_") {
                try run("ALTER TABLE \(quotedTable) RENAME CONSTRAINT \(PostgresDDL.quote(name)) TO \(PostgresDDL.quote(renamed(name, prefix: prefix)))")
                done.insert(name)
                break
            }
        }
        let indexes = try run("SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = to_regclass(?)", [quotedTable])
            .rows.compactMap { $0[0].map { $0.hasPrefix("\"") ? String($0.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"") : $0 } }
        for name in indexes.sorted() where !done.contains(name) {
            for prefix in [old, "idx_\(old)"] where name.hasPrefix(prefix + "_") {
                try run("ALTER INDEX \(PostgresDDL.quote(name)) RENAME TO \(PostgresDDL.quote(renamed(name, prefix: prefix)))")
                break
            }
        }
        if let sequence = try run("SELECT pg_get_serial_sequence(?, 'id')", [quotedTable]).value(0, 0),
           let oldName = sequence.split(separator: ".").last.map({ String($0).replacingOccurrences(of: "\"", with: "") }),
           oldName.hasPrefix(old + "_") {
            try run("ALTER SEQUENCE \(sequence) RENAME TO \(PostgresDDL.quote(renamed(oldName, prefix: old)))")
        }
    }

    /// Stores one definition (a new entity goes last).
    func saveDefinition(_ e: EntityDefinition) throws {
        let json = String(decoding: try JSONEncoder().encode(e), as: UTF8.self)
        try run("""
            INSERT INTO _crm_schema (entity, definition, position)
            VALUES (?, ?::jsonb, (SELECT coalesce(max(position), 0) + 1 FROM _crm_schema))
            ON CONFLICT (entity) DO UPDATE SET definition = excluded.definition
            """, [e.name, json])
    }
}
