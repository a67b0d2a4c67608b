import Foundation
import GRDB
import GRDBSQLite

/// One key's readings of one local calendar day, summed up.
public struct SeriesDay: Equatable, Sendable {
    /// The key record's id (an account).
    public var key: Int64
    /// The local day, `2026-08-01`.
    public var day: String
    /// How many readings the day has (of the field, not null).
    public var points: Int
    /// Sum, smallest and largest value of the field, in its unit (kW, not stored units).
    public var sum: Fixed
    public var min: Fixed
    public var max: Fixed
}

extension SQLiteStore {
    /// Per key and local day, the count, sum, minimum and maximum of a numeric field of a
    /// series, over the days `from`…`to` (both included), for the given keys (nil: every
    /// record of the key entity). Local days follow `TZ` (midnight to midnight, also
    /// across a change of summer time). Reads each key's range along the primary key, once:
    /// what a report of daily peaks and valleys would otherwise ask SQLite day by day.
    public func seriesDays(_ name: String, field: String, from: String, to: String, keys: [Int64]? = nil) throws -> [SeriesDay] {
        let series = try requireSeries(name)
        guard let plan = try SeriesDaysPlan(series, field: field, from: from, to: to) else { return [] }
        let scale = plan.scale
        // The instants (as stored, UTC text) where each local day starts, and where the last ends.
        let bounds = plan.bounds.map { Array(DateCodec.utcText(epochSeconds: $0).utf8) }
        let dayNames = plan.dayNames
        try recomputeBeforeRead()
        return try policed { db -> [SeriesDay] in
            let ids = try keys ?? Int64.fetchAll(db, sql: "SELECT id FROM \(quoted(series.keyEntity)) ORDER BY id")
            let sql = "SELECT \(quoted(series.time)), \(quoted(field)) FROM \(quoted(series.name)) WHERE \(quoted(series.key)) = ? AND \(quoted(series.time)) >= ? AND \(quoted(series.time)) < ? AND \(quoted(field)) IS NOT NULL ORDER BY \(quoted(series.time))"
            let statement = try db.makeStatement(sql: sql)
            let handle = statement.sqliteStatement
            let start = String(decoding: bounds[0], as: UTF8.self), end = String(decoding: bounds[bounds.count - 1], as: UTF8.self)
            var out: [SeriesDay] = []
            for id in ids {
                sqlite3_reset(handle)
                sqlite3_bind_int64(handle, 1, id)
                sqlite3_bind_text(handle, 2, start, -1, SQLiteStore.transientDestructor)
                sqlite3_bind_text(handle, 3, end, -1, SQLiteStore.transientDestructor)
                var day = 0, n = 0
                var sum: Int64 = 0, low = Int64.max, high = Int64.min
                func flush() {
                    guard n > 0 else { return }
                    out.append(SeriesDay(key: id, day: dayNames[day], points: n, sum: Fixed(units: sum, scale: scale),
                                         min: Fixed(units: low, scale: scale), max: Fixed(units: high, scale: scale)))
                    n = 0; sum = 0; low = .max; high = .min
                }
                while true {
                    let rc = sqlite3_step(handle)
                    if rc == SQLITE_DONE { break }
                    guard rc == SQLITE_ROW else { throw StoreError.database(String(cString: sqlite3_errmsg(db.sqliteConnection))) }
                    let length = Int(sqlite3_column_bytes(handle, 0))
                    guard let text = sqlite3_column_text(handle, 0) else { continue }
                    // Rows come in time order: move on to the day this reading falls in.
                    while day + 1 < bounds.count - 1, Self.compare(text, length, bounds[day + 1]) >= 0 {
                        flush()
                        day += 1
                    }
                    let v = sqlite3_column_int64(handle, 1)
                    let (s, overflow) = sum.addingReportingOverflow(v)
                    guard !overflow else { throw QueryError("the sum of \(name).\(field) for one day is too large to compute exactly") }
                    sum = s
                    n += 1
                    if v < low { low = v }
                    if v > high { high = v }
                }
                flush()
            }
            sqlite3_reset(handle)
            return out
        }
    }

    static let transientDestructor = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// memcmp order of a column's text against a boundary (both ASCII ISO times).
    static func compare(_ text: UnsafePointer<UInt8>, _ length: Int, _ bound: [UInt8]) -> Int {
        let common = Swift.min(length, bound.count)
        let c = bound.withUnsafeBufferPointer { memcmp(text, $0.baseAddress!, common) }
        if c != 0 { return Int(c) }
        return length - bound.count
    }
}
