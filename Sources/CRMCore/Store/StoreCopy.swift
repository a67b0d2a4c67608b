import Foundation

/// One table `crm copy` moves: an entity's records, the audit history, or the key/values.
public enum CopyTable {
    case entity(EntityDefinition)
    case audit
    case meta

    /// The name printed beside its counts (`customer`, `history`, `meta`).
    public var label: String {
        switch self {
        case .entity(let e): return e.name
        case .audit: return "history"
        case .meta: return "meta"
        }
    }

    /// The columns' types, in the order rows are scanned and inserted: an entity's `id`,
    /// its fields, `created`, `updated`; the audit's `id, at, user, action, entity,
    /// record_id, field, old, new, via`; meta's `key, value`.
    public var types: [FieldType] {
        switch self {
        case .entity(let e): return [.integer] + e.fields.map(\.type) + [.datetime, .datetime]
        case .audit: return [.integer, .datetime, .text, .text, .text, .integer, .text, .text, .text, .text]
        case .meta: return [.text, .text]
        }
    }
}

/// A store `crm copy` can read a whole database from and write one into, rows as typed
/// values (money in units, dates and times in crm's UTC text), ids kept.
public protocol CopyableStore: CRMStore {
    /// `SQLite` or `PostgreSQL`, for messages.
    var copyKind: String { get }
    /// Rows in a table (meta: the keys that are copied; a store's internal keys are not).
    func copyCount(_ table: CopyTable) throws -> Int
    /// Every row of a table in id (meta: key) order.
    func copyScan(_ table: CopyTable, _ body: ([Value]) throws -> Void) throws
    /// Tables holding rows `crm copy` does not move (SQLite's access grants and log, series):
    /// name and row count. A copy from a store with any is refused.
    func copyUncopiedTables() throws -> [(name: String, rows: Int)]
    /// Deletes every record, audit row and copied meta key (`--replace`), inside the copy's transaction.
    func copyClear() throws
    /// Runs `body`, which inserts every table's rows, with references checked when it is
    /// done rather than row by row (records may point forward, or in a cycle).
    func copyingRows(_ body: () throws -> Void) throws
    /// Inserts rows as they are, ids included (no rules, no audit rows of its own).
    func copyInsert(_ table: CopyTable, _ rows: [[Value]]) throws
    /// After the rows are in: ids continue after the largest, the find index is built.
    func copyFinish() throws
}

/// `crm copy FROM TO`: a whole database from one store into another in one transaction
/// on the target (docs/postgresql.md).
public struct StoreCopier {
    public var source: CopyableStore
    public var target: CopyableStore
    /// Overwrite a target that already holds records, history or settings.
    public var replace = false
    /// Rows per insert batch.
    public var batch = 500
    /// How an error of a store reads in one line (the shell's ErrorPresenter).
    public var describe: (Error) -> String = { String(describing: $0) }

    public init(source: CopyableStore, target: CopyableStore) {
        self.source = source
        self.target = target
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The tables to copy, in the order their rows go in (referenced entities first, as installed).
    func tables() -> [CopyTable] {
        StoreCopier.referencedFirst(source.schema.entities).map(CopyTable.entity) + [.audit, .meta]
    }

    /// The entities with each one after those its references point to (a plugin may add a
    /// reference to its own entity to a core one: `customer.major`), else in install order.
    /// A cycle keeps install order for the entities in it.
    static func referencedFirst(_ entities: [EntityDefinition]) -> [EntityDefinition] {
        let names = Set(entities.map(\.name))
        var placed = Set<String>(), out: [EntityDefinition] = []
        var visiting = Set<String>()
        let byName = Dictionary(entities.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        func visit(_ e: EntityDefinition) {
            guard !placed.contains(e.name), visiting.insert(e.name).inserted else { return }
            for f in e.fields {
                if case .reference(let target) = f.type, target != e.name, names.contains(target), let t = byName[target] { visit(t) }
            }
            visiting.remove(e.name)
            if placed.insert(e.name).inserted { out.append(e) }
        }
        for e in entities { visit(e) }
        return out
    }

    /// What the target holds (`customer 3, history 12`); empty when it holds nothing.
    public static func contents(of store: CopyableStore) throws -> [String] {
        var held: [String] = []
        for table in store.schema.entities.map(CopyTable.entity) + [.audit, .meta] {
            let n = try store.copyCount(table)
            if n > 0 { held.append("\(table.label) \(n)") }
        }
        return held
    }

    /// Copies everything; returns the per-table lines (`customer 1000 = 1000`). On any
    /// failure the target's transaction is rolled back and the error thrown.
    @discardableResult
    public func run(targetName: String) throws -> [String] {
        let uncopied = try source.copyUncopiedTables()
        if !uncopied.isEmpty {
            throw Failure(description: "the source holds rows crm copy cannot move yet (\(uncopied.map { "\($0.name) \($0.rows)" }.joined(separator: ", "))); nothing was copied")
        }
        let tables = tables()
        var sourceCounts: [Int] = []
        for t in tables { sourceCounts.append(try source.copyCount(t)) }
        return try target.atomically {
            let held = try StoreCopier.contents(of: target)
            if !held.isEmpty {
                guard replace else {
                    throw Failure(description: "\(targetName) is not empty (\(held.joined(separator: ", "))); use --replace to overwrite it")
                }
                try target.copyClear()
            }
            // The definitions through the target's own install (tables, indexes, find grams).
            try target.install(StoreCopier.referencedFirst(source.schema.entities))
            try target.copyingRows {
                for table in tables {
                    var pending: [[Value]] = []
                    pending.reserveCapacity(batch)
                    let name = table.label
                    try source.copyScan(table) { row in
                        pending.append(row)
                        if pending.count >= batch {
                            try insert(table, pending, name)
                            pending.removeAll(keepingCapacity: true)
                        }
                    }
                    if !pending.isEmpty { try insert(table, pending, name) }
                }
            }
            try target.copyFinish()
            var lines: [String] = []
            for (table, expected) in zip(tables, sourceCounts) {
                let got = try target.copyCount(table)
                let line = "\(table.label) \(expected) \(got == expected ? "=" : "≠") \(got)"
                guard got == expected else { throw Failure(description: "counts differ after the copy: \(line); nothing was copied") }
                lines.append(line)
            }
            return lines
        }
    }

    private func insert(_ table: CopyTable, _ rows: [[Value]], _ name: String) throws {
        do {
            try target.copyInsert(table, rows)
        } catch {
            let first = rows.first?.first.map { $0.displayText } ?? "?"
            let last = rows.last?.first.map { $0.displayText } ?? "?"
            let what = describe(error)
            throw Failure(description: "\(name) rows \(first)…\(last): \(what); nothing was copied")
        }
    }
}

import GRDB

extension SQLiteStore: CopyableStore {
    public var copyKind: String { "SQLite" }

    /// `find:ENTITY` keys describe this file's find index, not the data: never copied.
    static func copiedMetaKey(_ key: String) -> Bool { !key.hasPrefix("find:") }

    static func copySQL(_ table: CopyTable) -> (table: String, columns: [String], order: String) {
        switch table {
        case .entity(let e):
            return (quoted(e.name), ["id"] + e.fields.map { quoted($0.name) } + ["created", "updated"], "id")
        case .audit:
            return ("_crm_audit", ["id", "at", "user", "action", "entity", "record_id", "field", "old", "new", "via"], "id")
        case .meta:
            return ("_crm_meta", ["key", "value"], "key")
        }
    }

    public func copyCount(_ table: CopyTable) throws -> Int {
        let sql = SQLiteStore.copySQL(table)
        return try access { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM \(sql.table)\(table.isMeta ? " WHERE key NOT LIKE 'find:%'" : "")") ?? 0
        }
    }

    public func copyScan(_ table: CopyTable, _ body: ([Value]) throws -> Void) throws {
        let sql = SQLiteStore.copySQL(table)
        let types = table.types
        try access { db in
            let rows = try Row.fetchCursor(db, sql: "SELECT \(sql.columns.joined(separator: ", ")) FROM \(sql.table) ORDER BY \(sql.order)")
            while let row = try rows.next() {
                let values = types.enumerated().map { Value(database: row[$0.offset] as DatabaseValue, type: $0.element) }
                if table.isMeta, case .text(let key) = values[0], !SQLiteStore.copiedMetaKey(key) { continue }
                try body(values)
            }
        }
    }

    public func copyUncopiedTables() throws -> [(name: String, rows: Int)] {
        let entityTables = Set(schema.entities.map(\.name))
        return try access { db in
            let names = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                AND name NOT LIKE '_crm_find_%' AND name NOT IN ('_crm_schema', '_crm_audit', '_crm_meta', 'grdb_migrations')
                ORDER BY name
                """)
            var out: [(name: String, rows: Int)] = []
            for name in names where !entityTables.contains(name) {
                let n = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(quoted(name))") ?? 0
                if n > 0 { out.append((name, n)) }
            }
            return out
        }
    }

    public func copyClear() throws {
        try access { db in
            for e in schema.entities.reversed() {
                try db.execute(sql: "DELETE FROM \(quoted(e.name))")
                if !e.searchFields.isEmpty { try db.execute(sql: "DELETE FROM \(quoted(FindIndex.table(e.name)))") }
            }
            try db.execute(sql: "DELETE FROM _crm_audit")
            try db.execute(sql: "DELETE FROM _crm_meta WHERE key NOT LIKE 'find:%'")
        }
        knownReferences = [:]
    }

    public func copyInsert(_ table: CopyTable, _ rows: [[Value]]) throws {
        let sql = SQLiteStore.copySQL(table)
        let types = table.types
        let insert = "INSERT INTO \(sql.table) (\(sql.columns.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: types.count).joined(separator: ", ")))"
        try access { db in
            let statement = try db.cachedStatement(sql: insert)
            var searchColumns: [Int] = []
            var entity: EntityDefinition?
            if case .entity(let e) = table, !e.searchFields.isEmpty {
                entity = e
                searchColumns = e.searchFields.compactMap { name in e.fields.firstIndex { $0.name == name }.map { $0 + 1 } }
            }
            for row in rows {
                if table.isMeta, case .text(let key) = row[0], !SQLiteStore.copiedMetaKey(key) { continue }
                try RawStatement.execute(statement, zip(row, types).map { $0.databaseValue(for: $1) })
                if let entity, case .integer(let id) = row[0] {
                    try FindIndex.insert(entity, id: id, texts: searchColumns.map { row[$0].displayText }, db)
                }
            }
        }
    }

    /// References are checked at commit (`defer_foreign_keys`) and once after the rows, so a row may point forward.
    public func copyingRows(_ body: () throws -> Void) throws {
        try access { try $0.execute(sql: "PRAGMA defer_foreign_keys = ON") }
        try body()
        let broken = try access { try Row.fetchAll($0, sql: "PRAGMA foreign_key_check") }
        if let first = broken.first {
            let table: String = first[0], rowid: Int64 = first[1] ?? 0, parent: String = first[2]
            throw StoreError.database("\(table) \(rowid) refers to a \(parent) that is not there (\(broken.count) broken reference\(broken.count == 1 ? "" : "s"))")
        }
    }

    /// SQLite gives the next record max(id) + 1 by itself.
    public func copyFinish() throws {
        knownReferences = [:]
    }
}

extension CopyTable {
    var isMeta: Bool { if case .meta = self { return true } else { return false } }
}
