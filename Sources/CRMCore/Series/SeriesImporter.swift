import Foundation
import GRDB

/// Streams a CSV file of readings into a series: the same `import` command as for
/// entities, but each row is checked in memory and written as one compact row, with no
/// audit row of its own; the import is audited once (file, rows, rejected, time range).
///
/// A bad row (unknown key, a time off the grid, a value out of bounds or above its limit,
/// a duplicate of a reading already stored or earlier in the file) is reported as
/// FILE:LINE and copied to the reject file; the good rows go in, in batches. With
/// `atomic`, one bad row cancels the whole import. A duplicate is refused by default
/// (a reading once stored is kept as it was); `on conflict skip` leaves it out without
/// calling it bad, `on conflict update` replaces the stored values with the file's.
/// The options are the entity import's: `map`, `from-line`, `encoding`, `on conflict`.
public struct SeriesImporter {
    public var store: SeriesStore
    public var series: SeriesDefinition
    public var path: String
    public var atomic: Bool
    /// File column → series column; `-` skips the column.
    public var mapping: [String: String] = [:]
    /// Rows that start before this line are skipped (to continue after a line that could not be read).
    public var fromLine = 0
    /// What a reading whose key and time are already stored does.
    public var onConflict = Importer.ConflictPolicy.reject
    /// The file's encoding; nil detects it.
    public var encoding: TextEncoding?
    /// False for a dry run: bad rows are counted and reported, no reject file is written.
    public var writeRejects = true
    /// Rows per transaction. Readings are small and land at a thousand places of the
    /// primary key at once, so each commit (and the WAL checkpoint after it) rewrites much
    /// of the table's upper pages: a million rows a batch keeps commits few; memory stays
    /// flat (SQLite's cache is bounded and spills to the WAL).
    public var batchSize = 1_000_000
    /// Called for each rejected row: (line, message).
    public var onReject: (Int, String) -> Void = { _, _ in }
    /// Asked every few thousand rows; true stops the import (the batch in progress is rolled back).
    public var shouldStop: () -> Bool = { false }

    public init(store: SeriesStore, series: SeriesDefinition, path: String, atomic: Bool) {
        self.store = store
        self.series = series
        self.path = path
        self.atomic = atomic
    }

    /// What an import of readings did.
    public struct Result: Equatable {
        public var imported: Int
        public var rejected: Int
        /// Readings already stored, left as they were (`on conflict skip`).
        public var skipped = 0
        /// Readings already stored that took the file's values (`on conflict update`).
        public var updated = 0
        public var rejectPath: String?
        /// The earliest and latest reading imported (UTC text), nil when none.
        public var from: String?
        public var to: String?
    }

    /// Which file column holds each series column (-1: none), from `map` and then by name.
    public func plan(_ fields: [String], line: Int) throws -> [Int] {
        let names = series.columns.joined(separator: ",")
        for (column, target) in mapping where target != "-" && !series.columns.contains(target) {
            throw ImportError(path: path, line: 0, message: "map \(column)=\(target): \(series.name) has no column '\(target)' (it has: \(names))")
        }
        let header = fields.map { $0.trimmingCharacters(in: .whitespaces) }
        for column in mapping.keys where !header.contains(column) {
            throw ImportError(path: path, line: line, message: "map \(column)=…: the file has no column '\(column)'\(NameSuggestion.hint(for: column, in: header))")
        }
        var at = Array(repeating: -1, count: series.columns.count)
        for (i, column) in header.enumerated() {
            let target = mapping[column] ?? column.lowercased()
            if target == "-" { continue }
            guard let c = series.columns.firstIndex(of: target) else {
                throw ImportError(path: path, line: line, message: "column '\(column)' is not one of \(series.name)'s: \(names) (add map \(column)=<column>, or map \(column)=- to skip it)")
            }
            guard at[c] < 0 else { throw ImportError(path: path, line: line, message: "two columns go to \(series.name).\(target)") }
            at[c] = i
        }
        for (c, name) in series.columns.enumerated() where at[c] < 0 {
            if c < 2 || series.fields[c - 2].required {
                throw ImportError(path: path, line: line, message: "the file has no column '\(name)' (a \(series.name) file has: \(names))")
            }
        }
        return at
    }

    /// Loads the file into the store (`SeriesStore.importSeries`).
    public func run() throws -> Result { try store.importSeries(self) }

    /// The SQLite load: rows checked and inserted in place, a batch per transaction.
    func run(on store: SQLiteStore) throws -> Result {
        // Refused before the file is read, like an entity import without the right.
        let visible = try store.seriesWriteCondition(series, right: .import)
        let (reader, header, at) = try openFile()

        var imported = 0, rejected = 0
        var range = SeriesRange()
        var rejects: RejectWriter?
        var unreadable: ImportError?
        var stoppedAt: Int?
        var spans = CSVSpans()
        let path = self.path

        var skipped = 0, updated = 0
        func reject(_ line: Int, _ message: String, _ fields: [String]) throws {
            rejected += 1
            onReject(line, message)
            if !atomic && writeRejects {
                if rejects == nil { rejects = try RejectWriter(path: Importer.rejectPath(for: path), header: header) }
                try rejects!.write(fields)
            }
        }

        /// Reads and writes up to `limit` rows; false at the end of the file. Each row is
        /// read as byte ranges and checked in place: no String per field unless it is
        /// rejected or not in the plain form (see `SeriesRows`).
        func batch(_ db: Database, _ check: SeriesRows, _ insert: SeriesInsert, limit: Int) throws -> Bool {
            var n = 0
            var values = [Int64?](repeating: nil, count: series.fields.count)
            while n < limit {
                let line: Int
                do {
                    guard let l = try reader.next(into: &spans) else { return false }
                    line = l
                } catch let error as CSVError {
                    unreadable = ImportError(path: path, line: error.line, message: error.message)
                    return false
                }
                if line < fromLine { continue }
                n += 1
                if n & 4095 == 0, shouldStop() { stoppedAt = line; return false }
                guard spans.ranges.count == header.count else {
                    try reject(line, "expected \(header.count) columns, found \(spans.ranges.count)", reader.strings(of: spans))
                    continue
                }
                let outcome: String? = try reader.withBytes(of: spans) { bytes in
                    func field(_ column: Int) -> UnsafeBufferPointer<UInt8> {
                        column < 0 ? UnsafeBufferPointer(start: nil, count: 0) : UnsafeBufferPointer(rebasing: bytes[spans.ranges[column]])
                    }
                    do {
                        let key = try check.key(field(at[0]))
                        let timeBytes = field(at[1])
                        let (t, stored) = try check.time(timeBytes)
                        for i in values.indices {
                            values[i] = try check.value(i, field(at[i + 2]), key: key)
                        }
                        let added = try stored.map { try insert.run(key, $0, values) } ?? insert.run(key, time: timeBytes, values)
                        guard added else {
                            switch onConflict {
                            case .reject:
                                let at = stored ?? String(decoding: timeBytes, as: UTF8.self)
                                return "duplicate: \(series.keyEntity) \(check.title(key)) already has a reading at \(DateCodec.localDisplay(utc: at)) (readings are not replaced; on conflict update replaces them)"
                            case .skip:
                                skipped += 1
                            case .update:
                                try stored.map { try insert.replace(key, $0, values) } ?? insert.replace(key, time: timeBytes, values)
                                updated += 1
                                range.add(t)
                            }
                            return nil
                        }
                        imported += 1
                        range.add(t)
                        return nil
                    } catch let error as SeriesError {
                        return error.message
                    }
                }
                if let outcome { try reject(line, outcome, reader.strings(of: spans)) }
            }
            return true
        }

        var committed = 0
        do {
            if atomic {
                try store.atomically {
                    try store.access { db in
                        let check = try SeriesRows(series: series, schema: store.schema, db: db, visible: visible)
                        let insert = try SeriesInsert(series, db)
                        while try batch(db, check, insert, limit: Int.max) {}
                        if let unreadable { throw unreadable }
                        if let stoppedAt { throw ImportError(path: path, line: stoppedAt, message: "interrupted; nothing was imported (--atomic)") }
                        if rejected > 0 { throw ImportError.rejected(path: path, rejected: rejected, atomic: true) }
                        try store.auditSeriesLoad(db, series, action: "import", source: path, rows: imported, rejected: 0, range: range,
                                                  skipped: skipped, updated: updated)
                    }
                }
            } else {
                var more = true
                var check: SeriesRows?
                while more {
                    try store.atomically {
                        try store.access { db in
                            if check == nil { check = try SeriesRows(series: series, schema: store.schema, db: db, visible: visible) }
                            let insert = try SeriesInsert(series, db)
                            more = try batch(db, check!, insert, limit: batchSize)
                            if !more {
                                try store.auditSeriesLoad(db, series, action: "import", source: path, rows: imported,
                                                          rejected: rejected, range: range, skipped: skipped, updated: updated)
                            }
                        }
                    }
                    committed = imported
                }
            }
        } catch let error as StoreError {
            try? rejects?.close()
            throw storeFailure(error, committed: committed)
        }
        try rejects?.close()
        return try finish(imported: imported, rejected: rejected, skipped: skipped, updated: updated,
                          rejectPath: rejects?.path, range: range, unreadable: unreadable, stoppedAt: stoppedAt)
    }

    public func next(_ reader: CSVReader) throws -> (fields: [String], line: Int)? {
        do {
            guard let r = try reader.next() else { return nil }
            return (r.fields, r.line)
        } catch let error as CSVError {
            throw ImportError(path: path, line: error.line, message: error.message)
        }
    }
}
