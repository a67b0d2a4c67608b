import Foundation
import CRMCore

/// Series on PostgreSQL: one table per series, `(key bigint, time timestamptz, values
/// bigint…)` with the primary key (key, time), written in the command's transaction and
/// audited once per load, as SQLite's (`SQLiteStore+Series`). Values are the stored units
/// SQLite keeps, so `crm copy` moves them exactly. No foreign key on the key: as on
/// SQLite, deleting an account leaves its readings.
extension PostgresStore: SeriesStore {
    public func installSeries(_ series: SeriesDefinition) throws {
        guard let json = try seriesToInstall(series) else { return }
        let q = PostgresDDL.quote
        try atomically {
            // Two clients declaring the same series at once create one table.
            try run("SELECT pg_advisory_xact_lock(1129466183)")
            var parts = ["\(q(series.key)) bigint NOT NULL", "\(q(series.time)) timestamptz NOT NULL"]
            parts += series.fields.map { "\(q($0.name)) bigint" + ($0.required ? " NOT NULL" : "") }
            parts.append("PRIMARY KEY (\(q(series.key)), \(q(series.time)))")
            try run("CREATE TABLE IF NOT EXISTS \(q(series.name)) (\(parts.joined(separator: ", ")))")
            for f in series.fields {
                try run("ALTER TABLE \(q(series.name)) ADD COLUMN IF NOT EXISTS \(q(f.name)) bigint")
            }
            try setMeta(SeriesDefinition.metaKey(series.name), json)
        }
        policyQueries = nil  // the policy reads the new series too
    }

    public func allSeries() throws -> [SeriesDefinition] { try storedSeries() }

    /// The checks of a series' readings, its key records read once: under an access
    /// policy, only the keys the caller sees (a reading of another is "no such key"), and
    /// only with `right` on the key entity (update to append, import to load a file).
    func seriesRows(_ series: SeriesDefinition, right: AccessRight) throws -> SeriesRows {
        var visible: String?
        if let policy, via == nil {
            visible = try policy.seriesWriteCondition(series, right: right, schema: schema, dialect: .postgres(schema: storeSchema))
        }
        return try SeriesRows(series: series, schema: schema, table: PostgresDDL.quote, visible: visible) { sql, each in
            let result = try run(sql)
            for row in result.rows {
                guard let id = row[0].flatMap({ Int64($0) }) else { continue }
                each(id, row[1], row.dropFirst(2).map { $0.flatMap { Int64($0) } })
            }
        }
    }

    public func appendSeries(_ name: String, rows: [[String: String]], source: String) throws -> Int {
        guard let series = try series(named: name) else {
            throw SeriesError(message: "there is no series named '\(name)'")
        }
        return try atomically {
            let check = try seriesRows(series, right: .update)
            var points = SeriesPoints(series)
            var seen: Set<SeriesPoint> = []
            var failure: Error?
            var range = SeriesRange()
            for (n, row) in rows.enumerated() {
                if let column = row.keys.sorted().first(where: { !series.columns.contains($0) }) {
                    failure = SeriesError(message: "\(name) has no column '\(column)'\(NameSuggestion.hint(for: column, in: series.columns))")
                    break
                }
                do {
                    let key = try check.key(row[series.key] ?? "")
                    let (t, _) = try check.time(row[series.time] ?? "")
                    let values = try series.fields.indices.map { try check.value($0, row[series.fields[$0].name] ?? "", key: key) }
                    guard seen.insert(SeriesPoint(key: key, time: t)).inserted else {
                        throw SeriesError(message: duplicate(series, check, key, t))
                    }
                    points.add(key, t, values)
                    range.add(t)
                } catch let error as SeriesError {
                    failure = SeriesError(message: "\(name) row \(n + 1): \(error.message)")
                    break
                }
            }
            // The readings before the first bad one go in; a duplicate of a stored one among them comes first.
            let added = try points.insert(self, onConflict: .skip)
            if added.count < points.count, let i = points.points.firstIndex(where: { !added.contains($0) }) {
                let p = points.points[i]
                throw SeriesError(message: "\(name) row \(i + 1): \(duplicate(series, check, p.key, p.time))")
            }
            if let failure { throw failure }
            try audit(action: "append", entity: series.name, id: nil, field: nil, old: nil,
                      new: try range.auditText(source: source, rows: rows.count, rejected: 0))
            return rows.count
        }
    }

    func duplicate(_ series: SeriesDefinition, _ check: SeriesRows, _ key: Int64, _ t: Int) -> String {
        "duplicate: \(series.keyEntity) \(check.title(key)) already has a reading at \(DateCodec.localDisplay(utc: DateCodec.utcText(epochSeconds: t)))"
    }

    /// The filter on a series' columns, key values read as titles first (as SQLite's).
    func seriesCondition(_ series: SeriesDefinition, _ filter: Filter?) throws -> PortableCondition {
        guard let filter else { return try compile(nil, series.asEntity) }
        let titleField = schema.entity(named: series.keyEntity)?.titleField
        let resolved = try reading {
            try SeriesKeyTitles(series: series, titleField: titleField) { title in
                try self.run("SELECT id FROM \(PostgresDDL.quote(series.keyEntity)) WHERE \(PostgresDDL.quote(titleField!))::text = ? ORDER BY id LIMIT 1",
                             [title]).value(0, 0).flatMap { Int64($0) }
            }.resolve(filter)
        }
        // No reference lookup: the key's titles are ids by now, as in SQLite's compileSeriesFilter.
        return try StoreParts.compile(resolved, entity: series.asEntity, schema: schema, clock: clock, dialect: .postgres)
    }

    public func listSeries(_ name: String, filter: Filter?, order: [SortKey], limit: Int?, offset: Int?) throws -> ResultTable {
        let series = try requireSeries(name)
        let q = PostgresDDL.quote
        let condition = try seriesCondition(series, filter)
        for key in order { try series.checkName(key.field) }
        let keys = order.map { "\(q($0.field.name)) \($0.descending ? "DESC NULLS LAST" : "ASC NULLS FIRST")" }
            + [series.key, series.time].filter { c in !order.contains { $0.field.name == c } }.map { "\(q($0)) ASC" }
        var sql = "SELECT \(series.columns.map(q).joined(separator: ", ")) FROM \(q(series.name)) WHERE \(condition.sql) ORDER BY \(keys.joined(separator: ", "))"
        var arguments = condition.arguments
        if let limit { sql += " LIMIT ?"; arguments.append(String(max(limit, 0))) }
        if let offset { sql += " OFFSET ?"; arguments.append(String(max(offset, 0))) }
        let types = series.columns.map { series.type(of: $0)! }
        let result = try policedRead(sql, arguments)
        let rows = result.rows.map { row in types.enumerated().map { PostgresValue.value(row[$0.offset], $0.element) } }
        return ResultTable(title: nil, columns: zip(series.columns, types).map { Column($0, label: $0, numeric: $1.isNumeric) },
                           rows: rows)
    }

    public func countSeries(_ name: String, filter: Filter?) throws -> Int {
        let series = try requireSeries(name)
        let condition = try seriesCondition(series, filter)
        return Int(try policedRead("SELECT count(*) FROM \(PostgresDDL.quote(series.name)) WHERE \(condition.sql)", condition.arguments)
            .value(0, 0) ?? "0") ?? 0
    }

    public func seriesLoads(_ name: String) throws -> ResultTable {
        let series = try requireSeries(name)
        if let denial = policy?.seriesLoadsDenial(series) { throw denial }
        let result = try reading { try run(SeriesLoads.sql, [series.name]) }
        return SeriesLoads.table(series, result.rows.map {
            SeriesLoads.row(at: $0[0].map(PostgresValue.utcText), user: $0[1], via: $0[2], action: $0[3], summary: $0[4])
        })
    }

    public func seriesSummary(_ name: String) throws -> SeriesSummary {
        let series = try requireSeries(name)
        let q = PostgresDDL.quote
        return try reading {
            let readings = Int(try run(try policed("SELECT count(*) FROM \(q(series.name))")).value(0, 0) ?? "0") ?? 0
            let r = try run(try policed("""
                SELECT count(DISTINCT \(q(series.key))), min(\(q(series.time))), max(\(q(series.time))) FROM \(q(series.name))
                WHERE \(q(series.key)) IN (SELECT id FROM \(q(series.keyEntity)))
                """))
            return SeriesSummary(readings: readings, keys: Int(r.value(0, 0) ?? "0") ?? 0,
                                 first: r.value(0, 1).map(PostgresValue.utcText), last: r.value(0, 2).map(PostgresValue.utcText))
        }
    }

    public func seriesDays(_ name: String, field: String, from: String, to: String, keys: [Int64]?) throws -> [SeriesDay] {
        let series = try requireSeries(name)
        guard let plan = try SeriesDaysPlan(series, field: field, from: from, to: to) else { return [] }
        let q = PostgresDDL.quote
        var sql = """
            SELECT \(q(series.key)), extract(epoch FROM \(q(series.time)))::bigint, \(q(field)) FROM \(q(series.name))
            WHERE \(q(series.time)) >= ? AND \(q(series.time)) < ? AND \(q(field)) IS NOT NULL
            """
        var arguments: [String?] = [DateCodec.utcText(epochSeconds: plan.bounds[0]), DateCodec.utcText(epochSeconds: plan.bounds[plan.bounds.count - 1])]
        if let keys {
            sql += " AND \(q(series.key)) = ANY(?::bigint[])"
            arguments.append("{" + keys.map(String.init).joined(separator: ",") + "}")
        } else {
            sql += " AND \(q(series.key)) IN (SELECT id FROM \(q(series.keyEntity)))"
        }
        sql += " ORDER BY 1, 2"
        let result = try policedRead(sql, arguments)
        var byKey: [Int64: [(Int, Int64)]] = [:]
        var order: [Int64] = []
        for row in result.rows {
            guard let k = row[0].flatMap({ Int64($0) }), let t = row[1].flatMap({ Int($0) }), let v = row[2].flatMap({ Int64($0) }) else { continue }
            if byKey[k] == nil { order.append(k) }
            byKey[k, default: []].append((t, v))
        }
        var out: [SeriesDay] = []
        for k in keys ?? order { out += try plan.days(key: k, byKey[k] ?? []) }
        return out
    }
}

/// Readings gathered to be written in one statement (arrays unnested by the server).
struct SeriesPoints {
    let series: SeriesDefinition
    private(set) var points: [SeriesPoint] = []
    private var values: [[Int64?]]
    init(_ series: SeriesDefinition) {
        self.series = series
        values = Array(repeating: [], count: series.fields.count)
    }
    var count: Int { points.count }

    mutating func add(_ key: Int64, _ time: Int, _ row: [Int64?]) {
        points.append(SeriesPoint(key: key, time: time))
        for i in row.indices { values[i].append(row[i]) }
    }

    /// Writes them; the points newly inserted (a point already stored is left as it was
    /// under `.skip`; under `.update` it takes the values that are not null, and is not
    /// among those returned).
    func insert(_ store: PostgresStore, onConflict: Importer.ConflictPolicy) throws -> Set<SeriesPoint> {
        guard !points.isEmpty else { return [] }
        let q = PostgresDDL.quote
        let columns = series.columns.map(q).joined(separator: ", ")
        let arrays = ["?::bigint[]", "?::timestamptz[]"] + series.fields.map { _ in "?::bigint[]" }
        var arguments: [String?] = ["{" + points.map { String($0.key) }.joined(separator: ",") + "}",
                                    "{" + points.map { DateCodec.utcText(epochSeconds: $0.time) }.joined(separator: ",") + "}"]
        arguments += values.map { "{" + $0.map { $0.map(String.init) ?? "NULL" }.joined(separator: ",") + "}" }
        var sql = "INSERT INTO \(q(series.name)) (\(columns)) SELECT * FROM unnest(\(arrays.joined(separator: ", "))) "
        if onConflict == .update, !series.fields.isEmpty {
            sql += "ON CONFLICT (\(q(series.key)), \(q(series.time))) DO UPDATE SET "
                + series.fields.map { "\(q($0.name)) = coalesce(excluded.\(q($0.name)), \(q(series.name)).\(q($0.name)))" }.joined(separator: ", ")
        } else {
            sql += "ON CONFLICT DO NOTHING"
        }
        // xmax is 0 in a row this statement inserted, the updating transaction's id in one it updated.
        sql += " RETURNING \(q(series.key)), extract(epoch FROM \(q(series.time)))::bigint, xmax = 0"
        let result = try store.run(sql, arguments)
        var added: Set<SeriesPoint> = []
        for row in result.rows {
            if let k = row[0].flatMap({ Int64($0) }), let t = row[1].flatMap({ Int($0) }), row[2] == "t" { added.insert(SeriesPoint(key: k, time: t)) }
        }
        return added
    }
}

