import Foundation
import CRMCore

extension PostgresStore {
    /// Creates or migrates the tables of these entities in one transaction.
    ///
    /// As on SQLite: a new entity gets its table (`PostgresDDL`), a changed one the columns
    /// it lacks (a required field with a default filled in on existing rows), its new
    /// indexes and its find grams; fields are never dropped, and changing a field's
    /// storage type is refused. PostgreSQL DDL is transactional, so a failed migration
    /// leaves no table, column or index behind.
    /// An entity renamed with `formerly` is renamed first, in the same transaction.
    public func install(_ definitions: [EntityDefinition]) throws {
        let renames = plannedRenames(definitions)
        guard !renames.isEmpty else { return try installRenamed(definitions) }
        let before = schema
        do {
            try atomically {
                try renameFormerEntities(renames)
                try installRenamed(definitions)
            }
        } catch {
            schema = before
            throw error
        }
    }

    private func installRenamed(_ definitions: [EntityDefinition]) throws {
        let entities = definitions.map(schema.merging)
        let changed = entities.filter { schema.entity(named: $0.name) != $0 }
        guard !changed.isEmpty else { return }
        var planned = schema
        for e in changed { planned.put(e) }
        for e in changed { try SQLiteStore.validate(e, in: planned, parser: parser) }
        try atomically {
            // One installer at a time: two clients starting with a new plugin add its table once.
            try run("SELECT pg_advisory_xact_lock(1129466183)")
            for e in changed { try migrate(e) }
        }
        schema = planned
    }

    func migrate(_ e: EntityDefinition) throws {
        let table = PostgresDDL.quote(e.name)
        let exists = try run("SELECT to_regclass(?) IS NOT NULL", [table]).value(0, 0) == "t"
        if !exists {
            for statement in PostgresDDL.createEntity(e) { try run(statement) }
        } else {
            let columns = Set(try run("""
                SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped
                """, [table]).rows.compactMap { $0[0] })
            let old = schema.entity(named: e.name)
            for f in e.fields {
                if columns.contains(f.name) {
                    if let before = old?.field(f.name) {
                        guard PostgresStore.sameStorage(before.type, f.type) else {
                            throw StoreError.incompatibleMigration(
                                entity: e.name, field: f.name,
                                reason: "its type changes from \(before.type.name) to \(f.type.name); add a new field instead")
                        }
                        if case .enumeration(let values) = f.type, before.type != f.type {
                            // The CHECK of an enum's values follows the definition.
                            let name = PostgresDDL.quote(String("\(e.name)_\(f.name)_check".prefix(63)))
                            try run("ALTER TABLE \(table) DROP CONSTRAINT IF EXISTS \(name)")
                            try run("ALTER TABLE \(table) ADD CONSTRAINT \(name) CHECK (\(PostgresDDL.quote(f.name)) IN (\(values.map(PostgresDDL.literal).joined(separator: ", "))))")
                        }
                    }
                    continue
                }
                try run("ALTER TABLE \(table) ADD COLUMN \(PostgresDDL.column(f))")
                if let d = f.defaultText, f.required {
                    let value = try parser.parse(d, as: f.type)
                    try run("UPDATE \(table) SET \(PostgresDDL.quote(f.name)) = ?", [PostgresValue.parameter(value, f.type)])
                }
            }
            // Indexes and the gram table the old definition lacked.
            for statement in PostgresDDL.createEntity(e).dropFirst() {
                let idempotent = statement
                    .replacingOccurrences(of: "CREATE UNIQUE INDEX ", with: "CREATE UNIQUE INDEX IF NOT EXISTS ")
                    .replacingOccurrences(of: "CREATE INDEX ", with: "CREATE INDEX IF NOT EXISTS ")
                    .replacingOccurrences(of: "CREATE TABLE ", with: "CREATE TABLE IF NOT EXISTS ")
                do {
                    try run(idempotent)
                } catch let error as PGError where error.sqlState == "23505" {
                    throw StoreError.incompatibleMigration(entity: e.name, field: "",
                                                           reason: "existing records have duplicate values, so an index cannot be unique")
                }
            }
            if let old, old.searchFields.isEmpty, !e.searchFields.isEmpty {
                try rebuildGrams(e)
            }
        }
        try saveDefinition(e)
    }

    /// Whether a field's column keeps its type and scale. Out of line: inlined into
    /// `migrate`, Swift 6.3's optimizer (-O) fails its ownership check ("Found non consuming
    /// use outside of the lifetime") on the switch over the borrowed old field's type.
    @inline(never)
    static func sameStorage(_ a: FieldType, _ b: FieldType) -> Bool {
        PostgresDDL.columnType(a) == PostgresDDL.columnType(b) && a.scale == b.scale
    }

    /// The find grams of every record of `e`, after its search fields were set.
    func rebuildGrams(_ e: EntityDefinition) throws {
        let columns = e.searchFields.map(PostgresDDL.quote).joined(separator: ", ")
        let rows = try run("SELECT id, \(columns) FROM \(PostgresDDL.quote(e.name)) ORDER BY id").rows
        try run("DELETE FROM \(PostgresDDL.quote("_crm_find_\(e.name)"))")
        for row in rows {
            guard let id = row[0].flatMap({ Int64($0) }) else { continue }
            try insertGrams(e, id: id, texts: row.dropFirst().map { $0 ?? "" })
        }
    }
}
