import Foundation

/// One checked reading of an import: key, time (epoch seconds) and values in stored units.
public struct SeriesReading: Sendable {
    public var key: Int64
    public var time: Int
    public var values: [Int64?]
}

/// A store that writes an import's readings a batch per statement (PostgreSQL), where
/// SQLite inserts them one by one in place (`SeriesImporter.run(on:)`).
public protocol SeriesBatchWriter {
    /// Writes `readings` (no two at the same key and time) and returns the indices of
    /// those already stored: left as they were, or under `.update` given the batch's
    /// values where they are not null. The others were inserted.
    func write(_ readings: [SeriesReading], onConflict: Importer.ConflictPolicy) throws -> Set<Int>
    /// Runs `body` in one transaction that is not run again on a deadlock (it reads on
    /// from the file): all or nothing.
    func transaction(_ body: () throws -> Void) throws
    /// The load's one audit row (`SeriesRange.auditText`), inside the last transaction.
    func audit(_ summary: String) throws
}

extension SeriesImporter {
    /// Loads the file through `writer`, `batchRows` readings per statement, with the
    /// outcome of `run(on:)`: the same checks (`check`), messages, reject file, counts,
    /// audit row and errors. A batch's rejects are reported in line order once it is
    /// written, since a duplicate of a stored reading is known only then. Without
    /// `atomic` each batch is committed on its own.
    public func run(batches writer: SeriesBatchWriter, check: SeriesRows, batchRows: Int = 20_000) throws -> Result {
        let (reader, header, at) = try openFile()
        let path = self.path, series = self.series, onConflict = self.onConflict
        let perBatch = max(1, min(batchRows, batchSize))

        var imported = 0, rejected = 0, skipped = 0, updated = 0
        var range = SeriesRange()
        var rejects: RejectWriter?
        var unreadable: ImportError?
        var stoppedAt: Int?
        var seen = 0

        // The batch being read: its readings, where each came from, and its rejects.
        var readings: [SeriesReading] = []
        var origins: [(line: Int, fields: [String])] = []
        var slot: [SeriesPoint: Int] = [:]
        var batchRejects: [(line: Int, message: String, fields: [String])] = []

        func duplicate(_ r: SeriesReading) -> String {
            "duplicate: \(series.keyEntity) \(check.title(r.key)) already has a reading at "
                + "\(DateCodec.localDisplay(utc: DateCodec.utcText(epochSeconds: r.time))) "
                + "(readings are not replaced; on conflict update replaces them)"
        }
        func reject(_ line: Int, _ message: String, _ fields: [String]) {
            rejected += 1
            batchRejects.append((line, message, fields))
        }

        /// Reads rows into the batch until it is full; false at the end of the file (or
        /// an unreadable line, or a stop).
        func fill() -> Bool {
            while readings.count < perBatch {
                let row: (fields: [String], line: Int)
                do {
                    guard let r = try reader.next() else { return false }
                    row = r
                } catch let error as CSVError {
                    unreadable = ImportError(path: path, line: error.line, message: error.message)
                    return false
                } catch {
                    unreadable = ImportError(path: path, line: 0, message: "\(error)")
                    return false
                }
                if row.line < fromLine { continue }
                seen += 1
                if seen & 4095 == 0, shouldStop() { stoppedAt = row.line; return false }
                let fields = row.fields
                guard fields.count == header.count else {
                    reject(row.line, "expected \(header.count) columns, found \(fields.count)", fields)
                    continue
                }
                func field(_ column: Int) -> String { column < 0 ? "" : fields[column] }
                do {
                    let key = try check.key(field(at[0]))
                    let (t, _) = try check.time(field(at[1]))
                    let values = try series.fields.indices.map { try check.value($0, field(at[$0 + 2]), key: key) }
                    let reading = SeriesReading(key: key, time: t, values: values)
                    let point = SeriesPoint(key: key, time: t)
                    if let earlier = slot[point] {
                        // The same reading twice in one batch: as if the first were stored.
                        switch onConflict {
                        case .reject: reject(row.line, duplicate(reading), fields)
                        case .skip: skipped += 1
                        case .update:
                            for i in values.indices where values[i] != nil { readings[earlier].values[i] = values[i] }
                            updated += 1
                            range.add(t)
                        }
                        continue
                    }
                    slot[point] = readings.count
                    readings.append(reading)
                    origins.append((row.line, fields))
                } catch let error as SeriesError {
                    reject(row.line, error.message, fields)
                } catch {
                    reject(row.line, "\(error)", fields)
                }
            }
            return true
        }

        /// Writes the batch and reports its rejects, in line order.
        func flush() throws {
            let stored = readings.isEmpty ? [] : try writer.write(readings, onConflict: onConflict)
            for (i, r) in readings.enumerated() {
                guard stored.contains(i) else {
                    imported += 1
                    range.add(r.time)
                    continue
                }
                switch onConflict {
                case .reject: reject(origins[i].line, duplicate(r), origins[i].fields)
                case .skip: skipped += 1
                case .update:
                    updated += 1
                    range.add(r.time)
                }
            }
            for r in batchRejects.sorted(by: { $0.line < $1.line }) {
                onReject(r.line, r.message)
                if !atomic && writeRejects {
                    if rejects == nil { rejects = try RejectWriter(path: Importer.rejectPath(for: path), header: header) }
                    try rejects!.write(r.fields)
                }
            }
            readings.removeAll(keepingCapacity: true)
            origins.removeAll(keepingCapacity: true)
            slot.removeAll(keepingCapacity: true)
            batchRejects.removeAll()
        }

        func audit() throws {
            try writer.audit(try range.auditText(source: path, rows: imported, rejected: atomic ? 0 : rejected,
                                                 skipped: skipped, updated: updated))
        }

        var committed = 0
        do {
            if atomic {
                try writer.transaction {
                    var more = true
                    while more {
                        more = fill()
                        try flush()
                    }
                    if let unreadable { throw unreadable }
                    if let stoppedAt { throw ImportError(path: path, line: stoppedAt, message: "interrupted; nothing was imported (--atomic)") }
                    if rejected > 0 { throw ImportError.rejected(path: path, rejected: rejected, atomic: true) }
                    try audit()
                }
            } else {
                var more = true
                while more {
                    try writer.transaction {
                        more = fill()
                        try flush()
                        if !more { try audit() }
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

    /// The file opened and its header read and planned (`plan`), the same for every store.
    func openFile() throws -> (reader: CSVReader, header: [String], at: [Int]) {
        let reader: CSVReader
        do { reader = try CSVReader(path: path, encoding: encoding) } catch let error as CSVError {
            throw ImportError(path: path, line: error.line, message: error.message)
        }
        guard let first = try next(reader) else {
            throw ImportError(path: path, line: 0, message: "the file is empty (expected a header line: \(series.columns.joined(separator: ",")))")
        }
        return (reader, first.fields, try plan(first.fields, line: first.line))
    }

    /// A database failure in the middle of an import, saying what earlier batches kept.
    func storeFailure(_ error: StoreError, committed: Int) -> ImportError {
        ImportError(path: path, line: 0, message: "\(error.description); \(committed) rows were imported before it (earlier batches)")
    }

    /// The end of an import, the same for every store: an unreadable line or a stop is an
    /// error saying what went in and how to go on; otherwise the counts.
    func finish(imported: Int, rejected: Int, skipped: Int, updated: Int, rejectPath: String?, range: SeriesRange,
                unreadable: ImportError?, stoppedAt: Int?) throws -> Result {
        if let unreadable {
            // Every row before the line went in (its batch was committed): fix it and continue there.
            throw ImportError(path: path, line: unreadable.line, message: "\(unreadable.message); \(imported) rows before it were imported; "
                              + "continue with: import \(series.name) \(path) from-line \(unreadable.line)")
        }
        if let stoppedAt {
            throw ImportError(path: path, line: stoppedAt, message: "interrupted; \(imported) rows were imported (the batch in progress was rolled back only under --atomic)")
        }
        return Result(imported: imported, rejected: rejected, skipped: skipped, updated: updated, rejectPath: rejectPath,
                      from: range.first.map { DateCodec.utcText(epochSeconds: $0) },
                      to: range.last.map { DateCodec.utcText(epochSeconds: $0) })
    }
}

/// A reading's place: its key and time (epoch seconds).
public struct SeriesPoint: Hashable, Sendable {
    public var key: Int64
    public var time: Int
    public init(key: Int64, time: Int) {
        self.key = key
        self.time = time
    }
}
