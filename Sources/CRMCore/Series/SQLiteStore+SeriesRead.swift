import GRDB

extension SeriesDefinition {
    /// The series seen as an entity, so filters compile as they do for records: the key is
    /// a reference to its key entity, the time a datetime, the values as declared. A
    /// series has no id, created or updated: `checkNames` refuses them.
    public var asEntity: EntityDefinition {
        EntityDefinition(name: name, label: label,
                         fields: [FieldDefinition(key, .reference(keyEntity), label: key, required: true),
                                  FieldDefinition(time, .datetime, label: time, required: true)] + fields,
                         owner: owner)
    }

    /// `15-minute` for readings every 900 seconds.
    public var periodName: String { SeriesRows.period(step) }

    /// The type of a column (key, time or value), or nil.
    public func type(of column: String) -> FieldType? {
        column == key ? .reference(keyEntity) : column == time ? .datetime : fields.first { $0.name == column }?.type
    }

    public func checkName(_ ref: FieldRef) throws {
        guard columns.contains(ref.name) else {
            throw QueryError("\(name) has no field '\(ref.name)' (a series has \(columns.joined(separator: ", ")))"
                             + NameSuggestion.hint(for: ref.name, in: columns), position: ref.position)
        }
    }
}

extension SeriesDefinition.Limit {
    /// `10` for ten times, `2.500` for two and a half.
    public var timesText: String { SeriesRows.number(times) }
}

/// What `describe` says about a series besides its columns: how many readings, how many
/// keys have any, and the time range they cover.
public struct SeriesSummary: Equatable, Sendable {
    public var readings: Int
    public var keys: Int
    /// The earliest and latest reading (UTC text), nil when there are none.
    public var first: String?
    public var last: String?
    public init(readings: Int, keys: Int, first: String?, last: String?) {
        self.readings = readings
        self.keys = keys
        self.first = first
        self.last = last
    }
}

extension SQLiteStore {
    /// Readings of a series that match `filter`, in key and time order unless `order`
    /// says otherwise. On the key, a value is the key record's title (an account number)
    /// when one has it, else an id, as in an import file.
    public func listSeries(_ name: String, filter: Filter?, order: [SortKey] = [], limit: Int? = nil,
                           offset: Int? = nil) throws -> ResultTable {
        let series = try requireSeries(name)
        let compiled = try compileSeriesFilter(series, filter)
        for key in order { try series.checkName(key.field) }
        let keys = order.map { "\(quoted($0.field.name)) \($0.descending ? "DESC" : "ASC")" }
            + [series.key, series.time].filter { c in !order.contains { $0.field.name == c } }.map { "\(quoted($0)) ASC" }
        var sql = "SELECT \(series.columns.map(quoted).joined(separator: ", ")) FROM \(quoted(series.name)) WHERE \(compiled.sql) ORDER BY \(keys.joined(separator: ", "))"
        var arguments = compiled.arguments
        if limit != nil || offset != nil {
            sql += " LIMIT ? OFFSET ?"
            arguments += [(limit ?? -1).databaseValue, (offset ?? 0).databaseValue]
        }
        let types = series.columns.map { series.type(of: $0)! }
        let rows: [[Value]] = try policed { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                types.enumerated().map { Value(database: row[$0.offset] as DatabaseValue, type: $0.element) }
            }
        }
        return ResultTable(title: nil, columns: zip(series.columns, types).map { Column($0, label: $0, numeric: $1.isNumeric) },
                           rows: rows)
    }

    /// How many readings of a series match `filter`.
    public func countSeries(_ name: String, filter: Filter?) throws -> Int {
        let series = try requireSeries(name)
        let compiled = try compileSeriesFilter(series, filter)
        return try policed { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM \(quoted(series.name)) WHERE \(compiled.sql)",
                             arguments: StatementArguments(compiled.arguments)) ?? 0
        }
    }

    /// The readings, keys and time range of a series. The range is read from the primary
    /// key per key (a seek each), not by scanning the readings.
    /// The loads count every key's readings, so a caller who sees only some keys' readings
    /// is refused them rather than shown totals of readings they cannot list.
    public func seriesLoads(_ name: String) throws -> ResultTable {
        let series = try requireSeries(name)
        if let denial = policy?.seriesLoadsDenial(series) { throw denial }
        let rows = try access { db in
            try Row.fetchAll(db, sql: SeriesLoads.sql, arguments: [series.name]).map {
                SeriesLoads.row(at: $0[0], user: $0[1], via: $0[2], action: $0[3], summary: $0[4])
            }
        }
        return SeriesLoads.table(series, rows)
    }

    public func seriesSummary(_ name: String) throws -> SeriesSummary {
        let series = try requireSeries(name)
        let table = quoted(series.name), key = quoted(series.key), time = quoted(series.time)
        return try policed { db in
            let readings = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*), min(lo), max(hi) FROM (SELECT k.id,
                  (SELECT min(\(time)) FROM \(table) WHERE \(key) = k.id) AS lo,
                  (SELECT max(\(time)) FROM \(table) WHERE \(key) = k.id) AS hi
                FROM \(quoted(series.keyEntity)) k) WHERE lo IS NOT NULL
                """)
            let keys: Int = row.flatMap { $0[0] } ?? 0
            let first: String? = row.flatMap { $0[1] }, last: String? = row.flatMap { $0[2] }
            return SeriesSummary(readings: readings, keys: keys, first: first, last: last)
        }
    }

    /// The filter on a series' columns, a key value read as a title first (`account =
    /// 3300000001` is the account with that number, as in an import file).
    func compileSeriesFilter(_ series: SeriesDefinition, _ filter: Filter?) throws -> FilterCompiler.Compiled {
        guard let filter else { return FilterCompiler.Compiled(sql: "1", arguments: []) }
        let titleField = schema.entity(named: series.keyEntity)?.titleField
        let resolved = try policed { db in
            try SeriesKeyTitles(series: series, titleField: titleField) { title in
                try Int64.fetchOne(db, sql: "SELECT id FROM \(quoted(series.keyEntity)) WHERE \(quoted(titleField!)) = ?", arguments: [title])
            }.resolve(filter)
        }
        return try FilterCompiler(schema: schema, entity: series.asEntity, parser: parser).compile(resolved)
    }
}

/// Rewrites key values in a filter from titles to ids, checking every name on the way;
/// `lookup` finds the key record with a title (the store's query), nil when none has it.
public struct SeriesKeyTitles {
    let series: SeriesDefinition
    let titleField: String?
    let lookup: (String) throws -> Int64?

    public init(series: SeriesDefinition, titleField: String?, lookup: @escaping (String) throws -> Int64?) {
        self.series = series
        self.titleField = titleField
        self.lookup = lookup
    }

    public func resolve(_ filter: Filter) throws -> Filter {
        switch filter {
        case .and(let a, let b): return .and(try resolve(a), try resolve(b))
        case .or(let a, let b): return .or(try resolve(a), try resolve(b))
        case .not(let a): return .not(try resolve(a))
        case .compare(let ref, let op, let literal):
            try series.checkName(ref)
            return .compare(ref, op, try key(ref, literal))
        case .isIn(let ref, let literals):
            try series.checkName(ref)
            return .isIn(ref, try literals.map { try key(ref, $0) })
        case .contains(let ref, _), .isNull(let ref, _):
            try series.checkName(ref)
            return filter
        case .segment(let name, let position):
            throw QueryError("a series has no customer field to be 'in \(name)'", position: position)
        }
    }

    /// A literal on the key column that is a key record's title becomes that record's id.
    func key(_ ref: FieldRef, _ literal: Literal) throws -> Literal {
        guard ref.name == series.key, titleField != nil, !literal.text.hasPrefix("#") else {
            if ref.name == series.key, literal.text.hasPrefix("#") {
                return Literal(String(literal.text.dropFirst()), quoted: literal.quoted, position: literal.position)
            }
            return literal
        }
        guard let id = try lookup(literal.text) else { return literal }
        return Literal(String(id), quoted: false, position: literal.position)
    }
}
