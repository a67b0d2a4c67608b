import GRDB
import GRDBSQLite

extension SQLiteStore {
    /// The field type behind each result column of a prepared SELECT, so money and
    /// decimal columns come back as amounts (crm.query):
    ///
    /// - a field as stored: `amount`, `p.amount`, or a subquery's, view's or CTE's column
    ///   that passes one on unchanged (SQLite's column origin), also of a `crm.as_of` table;
    /// - `sum`, `total`, `min`, `max` or `avg` of such a column, also inside
    ///   `coalesce(…, 0)`: `sum(p.amount) as paid` (the outermost select list only).
    ///
    /// Nil for any other expression (`amount / 100.0`, `sum(amount) * 2`, a CASE): SQLite
    /// knows no field behind it, and it comes back as SQLite computes it, in stored units.
    ///
    /// `masked`: the amount fields the caller's policy views show through a masking
    /// expression (`AccessPolicy.maskedAmountTypes`); a bare reference to one, or an
    /// aggregate of one, that SQLite finds no column behind takes that field's type.
    static func originTypes(of statement: Statement, sql: String, schema: Schema, masked: [String: FieldType] = [:],
                            _ db: Database) -> [FieldType?] {
        var types = columnOrigins(statement.sqliteStatement, count: statement.columnCount, schema: schema)
        guard types.contains(where: { $0 == nil }), let list = SelectColumns(sql), list.items.count == types.count else {
            return types
        }
        if !masked.isEmpty {
            for (i, item) in list.items.enumerated() where types[i] == nil {
                let column = SelectColumns.bareColumn(item) ?? SelectColumns.aggregate(item).flatMap { SelectColumns.bareColumn($0.column[...]) }
                types[i] = column.flatMap { masked[$0] }
            }
        }
        for (i, item) in list.items.enumerated() where types[i] == nil {
            guard let aggregate = SelectColumns.aggregate(item),
                  let probe = try? db.makeStatement(sql: list.probe(sql, column: aggregate.column)),
                  probe.columnCount == types.count + 1,
                  let type = columnOrigins(probe.sqliteStatement, count: probe.columnCount, schema: schema).last!,
                  type.scale != nil else { continue }
            types[i] = type
        }
        return types
    }

    private static func columnOrigins(_ handle: SQLiteStatement, count: Int, schema: Schema) -> [FieldType?] {
        (0..<Int32(count)).map { i -> FieldType? in
            guard let table = sqlite3_column_table_name(handle, i), let column = sqlite3_column_origin_name(handle, i),
                  let entity = entity(readAs: String(cString: table), schema: schema) else { return nil }
            return entity.type(of: String(cString: column))
        }
    }
}

extension SQLiteStore {
    /// The entity a table is read as: its own table, or a picture `crm.as_of` made of it.
    public static func entity(readAs table: String, schema: Schema) -> EntityDefinition? {
        if let e = schema.entity(named: table) { return e }
        guard table.lowercased().hasPrefix("asof_") else { return nil }
        return schema.entities.first { isPastPicture(table, ofOneOf: [$0.name]) }
    }
}

extension Value {
    /// A raw SQL value read as a field of `type` when it came from one: money and decimal
    /// columns (scaled integers) become their amounts, as every other API returns them;
    /// an average (a real number of units) is rounded half away from zero to whole units.
    init(sqlite value: DatabaseValue, origin type: FieldType?) {
        guard let type, let scale = type.scale else { self.init(sqlite: value); return }
        switch value.storage {
        case .int64(let units):
            self = .decimal(Fixed(units: units, scale: scale))
        case .double(let d):
            if let units = Fixed(rounding: d, scale: 0)?.units { self = .decimal(Fixed(units: units, scale: scale)) }
            else { self.init(sqlite: value) }
        default:
            self.init(sqlite: value)
        }
    }
}
