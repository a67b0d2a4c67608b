import CRMCore

extension PostgresStore {
    /// `import <series> FILE.csv`: the rows checked as on SQLite (`SeriesRows`, the key
    /// records read once) and written a batch per statement (`SeriesImporter.run(batches:)`).
    public func importSeries(_ importer: SeriesImporter) throws -> SeriesImporter.Result {
        let check = try reading { try seriesRows(importer.series, right: .import) }
        return try importer.run(batches: SeriesBatches(store: self, series: importer.series), check: check)
    }
}

/// An import's batches of readings, each one `INSERT … SELECT FROM unnest(arrays)`.
struct SeriesBatches: SeriesBatchWriter {
    let store: PostgresStore
    let series: SeriesDefinition

    func write(_ readings: [SeriesReading], onConflict: Importer.ConflictPolicy) throws -> Set<Int> {
        var points = SeriesPoints(series)
        for r in readings { points.add(r.key, r.time, r.values) }
        let inserted = try points.insert(store, onConflict: onConflict)
        return Set(readings.indices.filter { !inserted.contains(SeriesPoint(key: readings[$0].key, time: readings[$0].time)) })
    }

    func transaction(_ body: () throws -> Void) throws {
        try store.writeBehind { try store.atomically(body) }
    }

    func audit(_ summary: String) throws {
        try store.audit(action: "import", entity: series.name, id: nil, field: nil, old: nil, new: summary)
    }
}
