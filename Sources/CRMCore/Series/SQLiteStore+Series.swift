import Foundation
import GRDB
import GRDBSQLite

extension SQLiteStore: SeriesStore {
    public func importSeries(_ importer: SeriesImporter) throws -> SeriesImporter.Result { try importer.run(on: self) }

    /// Creates the series' table (or adds the value columns it gained), and keeps the
    /// definition in the meta table. Writes nothing when the definition is unchanged.
    public func installSeries(_ series: SeriesDefinition) throws {
        guard let json = try seriesToInstall(series) else { return }
        let key = SeriesDefinition.metaKey(series.name)
        try atomically {
            try access { db in
                if try db.tableExists(series.name) {
                    let have = Set(try db.columns(in: series.name).map(\.name))
                    for f in series.fields where !have.contains(f.name) {
                        try db.execute(sql: "ALTER TABLE \(quoted(series.name)) ADD COLUMN \(quoted(f.name)) INTEGER")
                    }
                } else {
                    try db.execute(sql: series.createSQL)
                }
            }
            try setMeta(key, json)
        }
        seriesCache = nil
    }

    /// Every series declared in this database, read once until one is installed (the
    /// policy reads them for each read it polices).
    public func allSeries() throws -> [SeriesDefinition] {
        if let seriesCache { return seriesCache }
        let found = try storedSeries()
        seriesCache = found
        return found
    }

    /// The series of this name declared in this database, or nil.

    /// Adds readings given as text (`[column: text]`), all or none: a bad or duplicate
    /// reading is an error naming it (its position in the list, from 1). Audited once.
    /// Returns how many were added.
    public func appendSeries(_ name: String, rows: [[String: String]], source: String) throws -> Int {
        guard let series = try series(named: name) else {
            throw SeriesError(message: "there is no series named '\(name)'")
        }
        let visible = try seriesWriteCondition(series, right: .update)
        return try atomically {
            try access { db in
                let check = try SeriesRows(series: series, schema: schema, db: db, visible: visible)
                let insert = try SeriesInsert(series, db)
                var range = SeriesRange()
                for (n, row) in rows.enumerated() {
                    for column in row.keys where !series.columns.contains(column) {
                        throw SeriesError(message: "\(name) has no column '\(column)'\(NameSuggestion.hint(for: column, in: series.columns))")
                    }
                    do {
                        let key = try check.key(row[series.key] ?? "")
                        let (t, stored) = try check.time(row[series.time] ?? "")
                        let values = try series.fields.indices.map { try check.value($0, row[series.fields[$0].name] ?? "", key: key) }
                        guard try insert.run(key, stored, values) else {
                            throw SeriesError(message: "duplicate: \(series.keyEntity) \(check.title(key)) already has a reading at \(DateCodec.localDisplay(utc: stored))")
                        }
                        range.add(t)
                    } catch let error as SeriesError {
                        throw SeriesError(message: "\(name) row \(n + 1): \(error.message)")
                    }
                }
                try auditSeriesLoad(db, series, action: "append", source: source, rows: rows.count, rejected: 0, range: range)
                return rows.count
            }
        }
    }

    /// Checks that the caller may write readings of `series` (`right` on its key entity:
    /// update to append, import to load a file) and returns the condition on the key
    /// record `_t` they must see (nil: every key). Rules and jobs (`via`) write as the
    /// plugin, like their record writes.
    func seriesWriteCondition(_ series: SeriesDefinition, right: AccessRight) throws -> String? {
        guard let policy, via == nil else { return nil }
        return try policy.seriesWriteCondition(series, right: right, schema: schema)
    }

    /// The one audit row of a load: where from, how many, and the time range they cover.
    func auditSeriesLoad(_ db: Database, _ series: SeriesDefinition, action: String, source: String, rows: Int,
                         rejected: Int, range: SeriesRange, skipped: Int = 0, updated: Int = 0) throws {
        let summary = try range.auditText(source: source, rows: rows, rejected: rejected, skipped: skipped, updated: updated)
        try audit(db, action: action, entity: series.name, id: nil, field: nil, old: nil, new: summary)
    }
}

/// The earliest and latest reading of a load.
public struct SeriesRange {
    public var first: Int?
    public var last: Int?
    public init() {}
    public mutating func add(_ t: Int) {
        if first == nil || t < first! { first = t }
        if last == nil || t > last! { last = t }
    }

    /// The `new` text of a load's one audit row, the same in every store: source, rows,
    /// rejected (skipped and updated when any) and the time range.
    public func auditText(source: String, rows: Int, rejected: Int, skipped: Int = 0, updated: Int = 0) throws -> String {
        var summary: [String: Any] = ["source": source, "rows": rows, "rejected": rejected]
        if skipped > 0 { summary["skipped"] = skipped }
        if updated > 0 { summary["updated"] = updated }
        if let lo = first, let hi = last {
            summary["from"] = DateCodec.utcText(epochSeconds: lo)
            summary["to"] = DateCodec.utcText(epochSeconds: hi)
        }
        let data = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}

/// The prepared INSERT of a series; a reading whose (key, time) is taken is not written.
/// Values are bound as integers straight through the C API (a bulk load writes millions).
struct SeriesInsert {
    let statement: Statement
    private let handle: OpaquePointer

    /// `UPDATE … SET values WHERE key AND time` (`on conflict update`); nil without values.
    private let update: OpaquePointer?

    init(_ series: SeriesDefinition, _ db: Database) throws {
        let columns = series.columns.map(quoted).joined(separator: ", ")
        let marks = Array(repeating: "?", count: series.columns.count).joined(separator: ", ")
        statement = try db.cachedStatement(sql: "INSERT INTO \(quoted(series.name)) (\(columns)) VALUES (\(marks)) ON CONFLICT DO NOTHING")
        handle = statement.sqliteStatement
        if series.fields.isEmpty {
            update = nil
        } else {
            // The key and time first, as in the INSERT, so both bind alike. A value the file
            // leaves empty keeps the stored one, as an entity import's update does.
            let set = series.fields.enumerated().map { "\(quoted($1.name)) = coalesce(?\($0 + 3), \(quoted($1.name)))" }.joined(separator: ", ")
            update = try db.cachedStatement(sql: "UPDATE \(quoted(series.name)) SET \(set) WHERE \(quoted(series.key)) = ?1 AND \(quoted(series.time)) = ?2").sqliteStatement
        }
    }

    /// Gives the stored reading of this key and time the values that are not nil (`on conflict update`).
    func replace(_ key: Int64, _ time: String, _ values: [Int64?]) throws {
        var time = time
        try time.withUTF8 { try replace(key, time: $0, values) }
    }

    func replace(_ key: Int64, time: UnsafeBufferPointer<UInt8>, _ values: [Int64?]) throws {
        guard let update else { return }
        _ = try SeriesInsert.step(update, key, time, values)
    }

    /// Writes one reading; false when one with the same key and time exists.
    func run(_ key: Int64, _ time: String, _ values: [Int64?]) throws -> Bool {
        var time = time
        return try time.withUTF8 { try run(key, time: $0, values) }
    }

    /// `run` with the time as UTF-8 bytes, read only during the call.
    func run(_ key: Int64, time: UnsafeBufferPointer<UInt8>, _ values: [Int64?]) throws -> Bool {
        try SeriesInsert.step(handle, key, time, values)
    }

    /// Binds key, time and values to ?1, ?2, ?3… and steps once; whether a row changed.
    private static func step(_ handle: OpaquePointer, _ key: Int64, _ time: UnsafeBufferPointer<UInt8>,
                             _ values: [Int64?]) throws -> Bool {
        sqlite3_reset(handle)
        var rc = sqlite3_bind_int64(handle, 1, key)
        if rc == SQLITE_OK {
            rc = time.withMemoryRebound(to: CChar.self) { text in
                // Static: SQLite reads the bytes while the statement steps, which is before this returns.
                guard let base = text.baseAddress else { return sqlite3_bind_text(handle, 2, "", 0, nil) }
                return sqlite3_bind_text(handle, 2, base, Int32(text.count), nil)
            }
        }
        var index: Int32 = 3
        for v in values where rc == SQLITE_OK {
            rc = v.map { sqlite3_bind_int64(handle, index, $0) } ?? sqlite3_bind_null(handle, index)
            index += 1
        }
        if rc == SQLITE_OK { rc = sqlite3_step(handle) }
        let changed = sqlite3_changes(sqlite3_db_handle(handle)) > 0
        sqlite3_reset(handle)
        // Nothing stays bound to bytes that are gone once this returns.
        sqlite3_bind_null(handle, 2)
        guard rc == SQLITE_DONE else { throw RawStatement.failure(handle, rc) }
        return changed
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}
