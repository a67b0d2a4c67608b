import Foundation

/// One table `crm copy` moves: an entity's records, the audit history, the key/values,
/// a series' readings, the access grants or the access log.
public enum CopyTable {
    case entity(EntityDefinition)
    case audit
    case meta
    case series(SeriesDefinition)
    case grants
    case accessLog

    /// The name printed beside its counts (`customer`, `history`, `meta`, `load`, `grants`, `access log`).
    public var label: String {
        switch self {
        case .entity(let e): return e.name
        case .audit: return "history"
        case .meta: return "meta"
        case .series(let s): return s.name
        case .grants: return "grants"
        case .accessLog: return "access log"
        }
    }

    /// The columns' types, in the order rows are scanned and inserted: an entity's `id`,
    /// its fields, `created`, `updated`; the audit's `id, at, user, action, entity,
    /// record_id, field, old, new, via`; meta's `key, value`; a series' key, time and values
    /// (stored units on both stores, moved as integers so nothing is rounded); the grants'
    /// `user, right, entity`; the access log's `id, at, user, how, entity, record_id, rows, fields`.
    public var types: [FieldType] {
        switch self {
        case .entity(let e): return [.integer] + e.fields.map(\.type) + [.datetime, .datetime]
        case .audit: return [.integer, .datetime, .text, .text, .text, .integer, .text, .text, .text, .text]
        case .meta: return [.text, .text]
        case .series(let s): return [.integer, .datetime] + s.fields.map { _ in .integer }
        case .grants: return [.text, .text, .text]
        case .accessLog: return [.integer, .datetime, .text, .text, .text, .integer, .integer, .text]
        }
    }

    /// Whether a meta key is copied as one: a store's find-index keys describe that store's
    /// index, and a series' definition (`series:NAME`) goes with its table, installed on the
    /// target before its readings.
    public static func copiesMetaKey(_ key: String) -> Bool {
        !key.hasPrefix("find:") && !key.hasPrefix(SeriesDefinition.metaKey(""))
    }
}

/// A store `crm copy` can read a whole database from and write one into, rows as typed
/// values (money in units, dates and times in crm's UTC text), ids kept.
public protocol CopyableStore: SeriesStore {
    /// `SQLite` or `PostgreSQL`, for messages.
    var copyKind: String { get }
    /// Rows in a table (meta: the keys that are copied, `CopyTable.copiesMetaKey`).
    func copyCount(_ table: CopyTable) throws -> Int
    /// Every row of a table in id (meta: key; series: key and time; grants: user) order.
    func copyScan(_ table: CopyTable, _ body: ([Value]) throws -> Void) throws
    /// Tables holding rows `crm copy` does not know (none of crm's own, an entity's or a
    /// series'): name and row count. A copy from a store with any is refused.
    func copyUncopiedTables() throws -> [(name: String, rows: Int)]
    /// Deletes every record, audit row, series reading, grant, access log row and copied
    /// meta key (`--replace`), inside the copy's transaction.
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

    /// The tables to copy, in the order their rows go in (referenced entities first, as
    /// installed; then the history, settings, series, grants and access log).
    func tables() throws -> [CopyTable] {
        try StoreCopier.tables(of: source, entities: StoreCopier.referencedFirst(source.schema.entities))
    }

    static func tables(of store: CopyableStore, entities: [EntityDefinition]) throws -> [CopyTable] {
        entities.map(CopyTable.entity) + [.audit, .meta] + (try store.allSeries()).map(CopyTable.series) + [.grants, .accessLog]
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
        for table in try tables(of: store, entities: store.schema.entities) {
            let n = try store.copyCount(table)
            if n > 0 { held.append("\(table.label) \(n)") }
        }
        return held
    }

    /// Copies everything; returns the per-table lines (`customer 1000 = 1000`). On any
    /// failure the target's transaction is rolled back and the error thrown.
    @discardableResult
    public func run(targetName: String) throws -> [String] {
        // Under access control a copy reads and writes everything: an administrator's work.
        for (store, side) in [(source, "source"), (target, "target")] {
            if let controlled = store as? AccessControlled, controlled.accessEnabled,
               let denial = AccessGrants.adminDenial("copy the \(side) database", enabled: true,
                                                     policy: controlled.policy, user: store.user) {
                throw Failure(description: "\(denial); nothing was copied")
            }
        }
        let uncopied = try source.copyUncopiedTables()
        if !uncopied.isEmpty {
            throw Failure(description: "the source holds tables crm does not know (\(uncopied.map { "\($0.name) \($0.rows)" }.joined(separator: ", "))); nothing was copied")
        }
        let tables = try tables()
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
            for case .series(let series) in tables { try target.installSeries(series) }
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

    static func copySQL(_ table: CopyTable) -> (table: String, columns: [String], order: String) {
        switch table {
        case .entity(let e):
            return (quoted(e.name), ["id"] + e.fields.map { quoted($0.name) } + ["created", "updated"], "id")
        case .audit:
            return ("_crm_audit", ["id", "at", "user", "action", "entity", "record_id", "field", "old", "new", "via"], "id")
        case .meta:
            return ("_crm_meta", ["key", "value"], "key")
        case .series(let s):
            return (quoted(s.name), s.columns.map(quoted), "\(quoted(s.key)), \(quoted(s.time))")
        case .grants:
            return ("_crm_grant", ["user", "\"right\"", "entity"], "user, \"right\", entity")
        case .accessLog:
            return ("_crm_access_log", ["id", "at", "user", "how", "entity", "record_id", "rows", "fields"], "id")
        }
    }

    public func copyCount(_ table: CopyTable) throws -> Int {
        let sql = SQLiteStore.copySQL(table)
        return try access { db in
            if table.isMeta {
                return try String.fetchAll(db, sql: "SELECT key FROM _crm_meta").filter(CopyTable.copiesMetaKey).count
            }
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM \(sql.table)") ?? 0
        }
    }

    public func copyScan(_ table: CopyTable, _ body: ([Value]) throws -> Void) throws {
        let sql = SQLiteStore.copySQL(table)
        let types = table.types
        try access { db in
            let rows = try Row.fetchCursor(db, sql: "SELECT \(sql.columns.joined(separator: ", ")) FROM \(sql.table) ORDER BY \(sql.order)")
            while let row = try rows.next() {
                let values = types.enumerated().map { Value(database: row[$0.offset] as DatabaseValue, type: $0.element) }
                if table.isMeta, case .text(let key) = values[0], !CopyTable.copiesMetaKey(key) { continue }
                try body(values)
            }
        }
    }

    public func copyUncopiedTables() throws -> [(name: String, rows: Int)] {
        let known = Set(schema.entities.map(\.name) + (try allSeries()).map(\.name))
        return try access { db in
            let names = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                AND name NOT LIKE '_crm_find_%' AND name NOT IN ('_crm_schema', '_crm_audit', '_crm_meta', '_crm_grant',
                '_crm_access_log', 'grdb_migrations')
                ORDER BY name
                """)
            var out: [(name: String, rows: Int)] = []
            for name in names where !known.contains(name) {
                let n = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(quoted(name))") ?? 0
                if n > 0 { out.append((name, n)) }
            }
            return out
        }
    }

    public func copyClear() throws {
        let series = try allSeries()
        try access { db in
            // Records may point at each other in any order (`customer.lot`): checked at commit.
            try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
            for e in schema.entities.reversed() {
                try db.execute(sql: "DELETE FROM \(quoted(e.name))")
                if !e.searchFields.isEmpty { try db.execute(sql: "DELETE FROM \(quoted(FindIndex.table(e.name)))") }
            }
            for s in series where try db.tableExists(s.name) { try db.execute(sql: "DELETE FROM \(quoted(s.name))") }
            try db.execute(sql: "DELETE FROM _crm_audit")
            try db.execute(sql: "DELETE FROM _crm_grant")
            try db.execute(sql: "DELETE FROM _crm_access_log")
            try db.execute(sql: "DELETE FROM _crm_meta WHERE key NOT LIKE 'find:%'")
        }
        knownReferences = [:]
        seriesCache = nil
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
                if table.isMeta, case .text(let key) = row[0], !CopyTable.copiesMetaKey(key) { continue }
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
