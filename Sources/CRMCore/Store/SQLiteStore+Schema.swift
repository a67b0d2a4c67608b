import Foundation
import GRDB

extension SQLiteStore {
    /// Creates or migrates the tables of these entities in one transaction.
    ///
    /// A new entity gets a table; a changed one gets the columns it lacks (existing rows
    /// keep their data; a required field with a default is filled in), its indexes, and
    /// its find index. Changing a field's storage type is refused.
    public func install(_ definitions: [EntityDefinition]) throws {
        try renameFormerEntities(definitions)
        let entities = definitions.map(schema.merging)
        // Unchanged definitions (every start installs the core and the plugins' entities)
        // cost nothing: no transaction, no write lock, so a read-only run stays read-only.
        let changed = entities.filter { schema.entity(named: $0.name) != $0 }
        guard !changed.isEmpty else { return }
        var planned = schema
        for e in changed { planned.put(e) }
        for e in changed { try validate(e, in: planned) }
        try atomically {
            try access { db in
                for e in changed { try migrate(e, db) }
            }
        }
        schema = planned
        insertSQLCache = [:]
        behindStatements = [:]
        defaultValues = [:]
    }

    func validate(_ e: EntityDefinition, in planned: Schema) throws {
        try SQLiteStore.validate(e, in: planned, parser: parser)
    }

    /// The checks of a definition before any store installs it (names, references,
    /// defaults, patterns, indexes, lookup keys); the PostgreSQL store runs the same.
    public static func validate(_ e: EntityDefinition, in planned: Schema, parser: ValueParser) throws {
        func bad(_ field: String, _ reason: String) -> StoreError {
            .incompatibleMigration(entity: e.name, field: field, reason: reason)
        }
        guard SQLiteStore.isIdentifier(e.name), !e.name.hasPrefix("_") else {
            throw bad("", "entity names are lowercase letters, digits and _ (got '\(e.name)')")
        }
        var seen = Set<String>()
        for f in e.fields {
            guard SQLiteStore.isIdentifier(f.name) else {
                throw bad(f.name, "field names are lowercase letters, digits and _")
            }
            guard !EntityDefinition.systemFields.contains(f.name) else { throw bad(f.name, "the name is reserved") }
            guard seen.insert(f.name).inserted else { throw bad(f.name, "the field is defined twice") }
            if case .reference(let target) = f.type, planned.entity(named: target) == nil {
                throw bad(f.name, "it references unknown entity '\(target)'")
            }
            if case .enumeration(let values) = f.type, values.isEmpty { throw bad(f.name, "an enum needs values") }
            if let d = f.defaultText {
                do { _ = try parser.parse(d, as: f.type) } catch { throw bad(f.name, "default '\(d)' is not \(f.type.expectation)") }
            }
            if let p = f.pattern, (try? NSRegularExpression(pattern: p)) == nil {
                throw bad(f.name, "pattern \(p) is not a valid regular expression")
            }
        }
        for index in e.indexes {
            for name in index.fields where e.type(of: name) == nil {
                throw bad(name, "an index names a field the entity does not have")
            }
        }
        for name in e.searchFields where e.field(name) == nil {
            throw bad(name, "a search field names a field the entity does not have")
        }
        // A lookup key must name one record: a unique field (or a one-field unique index).
        for name in e.lookupKeys {
            guard let f = e.field(name) else { throw bad(name, "a lookup key names a field the entity does not have") }
            guard f.unique || e.indexes.contains(where: { $0.unique && $0.fields == [name] }) else {
                throw bad(name, "a lookup key must be unique (unique = true)")
            }
        }
    }

    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, !s.isEmpty, s.count <= 64,
              ("a"..."z").contains(first) || first == "_" else { return false }
        return s.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    func columnSQL(_ f: FieldDefinition) -> String {
        var sql = "\(quoted(f.name)) \(f.type.sqlType)"
        if case .reference(let target) = f.type { sql += " REFERENCES \(quoted(target))(id)" }
        return sql
    }

    func migrate(_ e: EntityDefinition, _ db: Database) throws {
        let table = quoted(e.name)
        if try !db.tableExists(e.name) {
            let columns = ["id INTEGER PRIMARY KEY"] + e.fields.map(columnSQL)
                + ["created TEXT NOT NULL", "updated TEXT NOT NULL"]
            try db.execute(sql: "CREATE TABLE \(table) (\(columns.joined(separator: ", ")))")
        } else {
            let existing = Set(try db.columns(in: e.name).map(\.name))
            let old = schema.entity(named: e.name)
            for f in e.fields {
                if existing.contains(f.name) {
                    if let before = old?.field(f.name), !SQLiteStore.storedAlike(before.type, f.type) {
                        throw StoreError.incompatibleMigration(
                            entity: e.name, field: f.name,
                            reason: "its type changes from \(before.type.name) to \(f.type.name); add a new field instead")
                    }
                    continue
                }
                try db.execute(sql: "ALTER TABLE \(table) ADD COLUMN \(columnSQL(f))")
                if let d = f.defaultText, f.required {
                    let value = try parser.parse(d, as: f.type)
                    try db.execute(sql: "UPDATE \(table) SET \(quoted(f.name)) = ?",
                                   arguments: [value.databaseValue(for: f.type)])
                }
            }
        }
        var indexes = e.indexes
        for f in e.fields {
            if f.unique { indexes.append(IndexDefinition([f.name], unique: true)) }
            if case .reference = f.type, !indexes.contains(where: { $0.fields.first == f.name }) {
                indexes.append(IndexDefinition([f.name]))
            }
        }
        for index in indexes {
            try createIndex(index, of: e, db)
        }
        if !e.searchFields.isEmpty {
            try FindIndex.install(e, db)
        }
        try saveDefinition(e, db)
    }

    /// True when a column of type `a` can hold values of type `b` as they are.
    /// (Out of line: inlined into `migrate`, Swift 6.x's -O ownership verifier crashes.)
    @inline(never)
    static func storedAlike(_ a: FieldType, _ b: FieldType) -> Bool {
        a.sqlType == b.sqlType && a.scale == b.scale
    }

    func createIndex(_ index: IndexDefinition, of e: EntityDefinition, _ db: Database) throws {
        let columns = index.fields.map(quoted).joined(separator: ", ")
        let sql = "CREATE \(index.unique ? "UNIQUE " : "")INDEX IF NOT EXISTS \(quoted(index.sqlName(entity: e.name))) ON \(quoted(e.name)) (\(columns))"
        do {
            try db.execute(sql: sql)
        } catch let error as DatabaseError {
            guard error.resultCode == .SQLITE_CONSTRAINT else { throw error }
            throw StoreError.incompatibleMigration(entity: e.name, field: index.fields.joined(separator: "+"),
                                                   reason: "existing records have duplicate values, so it cannot be unique")
        }
    }

    func saveDefinition(_ e: EntityDefinition, _ db: Database) throws {
        let json = String(decoding: try JSONEncoder().encode(e), as: UTF8.self)
        var position = try Int.fetchOne(db, sql: "SELECT position FROM _crm_schema WHERE entity = ?", arguments: [e.name])
        if position == nil {
            position = try Int.fetchOne(db, sql: "SELECT coalesce(max(position), 0) + 1 FROM _crm_schema")
        }
        try db.execute(sql: "INSERT OR REPLACE INTO _crm_schema (entity, definition, position) VALUES (?, ?, ?)",
                       arguments: [e.name, json, position ?? 1])
    }
}
