import Foundation

/// A store that keeps time series (`crm.series`): what the Lua API, the series commands
/// and `import` ask of one, so they work the same on SQLite and PostgreSQL. The
/// definitions live in the store's meta table (`series:NAME`), the readings in one table
/// per series keyed by (key, time).
public protocol SeriesStore: CRMStore {
    /// Creates the series' table (or adds the value columns it gained) and keeps the definition.
    func installSeries(_ series: SeriesDefinition) throws
    /// Every series declared in this database, by name.
    func allSeries() throws -> [SeriesDefinition]
    /// Adds readings given as text, all or none; audited once. How many were added.
    func appendSeries(_ name: String, rows: [[String: String]], source: String) throws -> Int
    /// Readings that match `filter`, in key and time order unless `order` says otherwise.
    func listSeries(_ name: String, filter: Filter?, order: [SortKey], limit: Int?, offset: Int?) throws -> ResultTable
    /// How many readings match `filter`.
    func countSeries(_ name: String, filter: Filter?) throws -> Int
    /// The readings, keys and time range of a series.
    func seriesSummary(_ name: String) throws -> SeriesSummary
    /// Per key and local day: count, sum, minimum and maximum of a field (see SQLiteStore's).
    func seriesDays(_ name: String, field: String, from: String, to: String, keys: [Int64]?) throws -> [SeriesDay]
    /// The series' loads (imports and appends), oldest first: `history <series>`.
    func seriesLoads(_ name: String) throws -> ResultTable
    /// Loads a CSV file of readings (`import <series> FILE.csv`).
    func importSeries(_ importer: SeriesImporter) throws -> SeriesImporter.Result
}

extension SeriesStore {
    /// The series of this name declared in this database, or nil.
    public func series(named name: String) throws -> SeriesDefinition? {
        guard let json = try meta(SeriesDefinition.metaKey(name)) else { return nil }
        return try? JSONDecoder().decode(SeriesDefinition.self, from: Data(json.utf8))
    }

    /// The series of this name, or the error that there is none.
    public func requireSeries(_ name: String) throws -> SeriesDefinition {
        guard let series = try series(named: name) else { throw QueryError("there is no series named '\(name)'") }
        return series
    }

    /// The definitions kept in the meta table, by name.
    public func storedSeries() throws -> [SeriesDefinition] {
        try metaKeys(prefix: "series:").values.compactMap {
            try? JSONDecoder().decode(SeriesDefinition.self, from: Data($0.utf8))
        }.sorted { $0.name < $1.name }
    }

    /// Checks a definition before it is installed and returns its stored text, or nil
    /// when the database holds it unchanged (nothing to write).
    public func seriesToInstall(_ series: SeriesDefinition) throws -> String? {
        try series.validate()
        if let entity = schema.entity(named: series.name) {
            throw SeriesError(message: "series \(series.name): an entity of that name already exists (owned by \(entity.owner))")
        }
        let json = String(decoding: try JSONEncoder.sorted.encode(series), as: UTF8.self)
        return try meta(SeriesDefinition.metaKey(series.name)) == json ? nil : json
    }
}

/// What a `seriesDays` call asks for, checked: the field and its scale, and the instants
/// (epoch seconds) where each local day starts and where the last one ends.
public struct SeriesDaysPlan {
    public let series: SeriesDefinition
    public let field: String
    public let scale: Int
    /// `first…last+1` local midnights, epoch seconds.
    public let bounds: [Int]
    /// `2026-08-01` for each day.
    public let dayNames: [String]

    /// Nil when `to` is before `from` (no days).
    public init?(_ series: SeriesDefinition, field: String, from: String, to: String) throws {
        let name = series.name
        guard let f = series.fields.first(where: { $0.name == field }) else {
            throw QueryError("\(name) has no field '\(field)'\(NameSuggestion.hint(for: field, in: series.fields.map(\.name)))")
        }
        switch f.type {
        case .decimal(let s): scale = s
        case .integer: scale = 0
        default: throw QueryError("\(name).\(field) is \(f.type.name), not a number")
        }
        guard let first = DateCodec.days(ofDate: from) else { throw QueryError("'\(from)' is not a date (use 2026-08-01)") }
        guard let last = DateCodec.days(ofDate: to) else { throw QueryError("'\(to)' is not a date (use 2026-08-31)") }
        guard last >= first else { return nil }
        guard last - first < 3660 else { throw QueryError("seriesDays: at most ten years at a time (\(from) to \(to))") }
        self.series = series
        self.field = field
        bounds = (first...(last + 1)).map { DateCodec.localMidnight(days: $0) }
        dayNames = (first...last).map { DateCodec.dateText(days: $0) }
    }

    /// Sums one key's readings, given in time order as (epoch seconds, stored units), into days.
    public func days(key: Int64, _ readings: [(Int, Int64)]) throws -> [SeriesDay] {
        var out: [SeriesDay] = []
        var day = 0, n = 0
        var sum: Int64 = 0, low = Int64.max, high = Int64.min
        func flush() {
            guard n > 0 else { return }
            out.append(SeriesDay(key: key, day: dayNames[day], points: n, sum: Fixed(units: sum, scale: scale),
                                 min: Fixed(units: low, scale: scale), max: Fixed(units: high, scale: scale)))
            n = 0; sum = 0; low = .max; high = .min
        }
        for (t, v) in readings {
            guard t >= bounds[0], t < bounds[bounds.count - 1] else { continue }
            while day + 1 < bounds.count - 1, t >= bounds[day + 1] {
                flush()
                day += 1
            }
            let (s, overflow) = sum.addingReportingOverflow(v)
            guard !overflow else { throw QueryError("the sum of \(series.name).\(field) for one day is too large to compute exactly") }
            sum = s
            n += 1
            if v < low { low = v }
            if v > high { high = v }
        }
        flush()
        return out
    }
}
