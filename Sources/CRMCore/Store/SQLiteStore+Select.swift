import GRDB

extension SQLiteStore {
    /// Runs one read-only SQL statement with bound arguments; anything that would write
    /// is refused before it runs.
    public func select(sql: String, arguments: [Value]) throws -> ResultTable {
        try access { db in
            let statement: Statement
            do {
                statement = try db.makeStatement(sql: sql)
            } catch let error as DatabaseError {
                throw QueryError("SQL: \(error.message ?? "\(error)")")
            }
            guard statement.isReadonly else { throw QueryError("SQL: only read-only statements (select) are allowed here") }
            let bound = arguments.map { v -> DatabaseValue in
                switch v {
                case .decimal(let d): return d.description.databaseValue
                default: return v.databaseValue(for: .text)
                }
            }
            do {
                try statement.setArguments(StatementArguments(bound))
            } catch {
                throw QueryError("SQL: \(arguments.count) values do not fit the statement's placeholders")
            }
            let columns = statement.columnNames.map { Column($0) }
            var rows: [[Value]] = []
            let cursor = try Row.fetchCursor(statement)
            while let row = try cursor.next() {
                rows.append((0..<row.count).map { Value(sqlite: row[$0] as DatabaseValue) })
            }
            var numeric = Array(repeating: true, count: columns.count)
            for row in rows {
                for (i, v) in row.enumerated() {
                    switch v {
                    case .integer, .decimal, .null: break
                    default: numeric[i] = false
                    }
                }
            }
            return ResultTable(columns: columns.enumerated().map { Column($1.name, numeric: !rows.isEmpty && numeric[$0]) },
                               rows: rows)
        }
    }

    /// `sum`, `avg`, `min`, `max` or `count` of a field, optionally grouped by another
    /// field, over the records matching a filter.
    public func aggregate(_ entity: String, function: AggregateFunction, field: String?, groupBy: String?,
                          where filter: Filter?) throws -> ResultTable {
        let e = try schema.require(entity)
        var valueType: FieldType = .integer
        if let field {
            guard let t = e.type(of: field) else {
                throw QueryError("\(e.name) has no field '\(field)'\(NameSuggestion.hint(for: field, in: e.allFieldNames))")
            }
            if function != .count && function != .min && function != .max && !t.isNumeric {
                throw QueryError("\(function.rawValue) needs a number field; \(e.name).\(field) is \(t.name)")
            }
            valueType = t
        } else if function != .count {
            throw QueryError("\(function.rawValue) needs a field")
        }
        var groupType: FieldType?
        if let groupBy {
            guard let t = e.type(of: groupBy) else {
                throw QueryError("\(e.name) has no field '\(groupBy)'\(NameSuggestion.hint(for: groupBy, in: e.allFieldNames))")
            }
            groupType = t
        }
        let compiled = try FilterCompiler(schema: schema, entity: e, parser: parser).compile(filter)
        let target = field.map(quoted) ?? "*"
        let expression: String
        switch function {
        case .count: expression = "count(\(target))"
        // sum() of INTEGER columns is exact (money and decimals are scaled integers) and
        // reports an overflow instead of rounding; total() would round past 2^53.
        case .sum: expression = valueType.sqlType == "INTEGER" ? "sum(\(target))" : "total(\(target))"
        case .avg: expression = "avg(\(target))"
        case .min: expression = "min(\(target))"
        case .max: expression = "max(\(target))"
        }
        var sql = "SELECT " + (groupBy.map { quoted($0) + ", " } ?? "") + expression
            + " FROM \(quoted(e.name)) WHERE \(compiled.sql)"
        if let groupBy { sql += " GROUP BY \(quoted(groupBy)) ORDER BY \(quoted(groupBy))" }
        let rows: [[Value]] = try access { db in
            try Self.reportingOverflow(of: function, field.map { "\(e.name).\($0)" } ?? e.name, valueType) {
              try Row.fetchAll(db, sql: sql, arguments: StatementArguments(compiled.arguments)).map { row in
                var out: [Value] = []
                if let groupType { out.append(Value(database: row[0] as DatabaseValue, type: groupType)) }
                let raw = row[row.count - 1] as DatabaseValue
                out.append(Self.aggregateValue(raw, function: function, type: valueType))
                return out
              }
            }
        }
        let name = function.rawValue + (field.map { "_" + $0 } ?? "")
        var columns = [Column(name, numeric: true)]
        if let groupBy { columns.insert(Column(groupBy), at: 0) }
        return ResultTable(columns: columns, rows: rows)
    }

    /// Runs an aggregate, turning SQLite's "integer overflow" (a sum past 64 bits) into a
    /// message that names the field and the range.
    static func reportingOverflow<T>(of function: AggregateFunction, _ what: String, _ type: FieldType,
                                     _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError where error.message?.contains("integer overflow") == true {
            let largest = type.scale.map { Fixed(units: .max, scale: $0).description } ?? String(Int64.max)
            throw QueryError("\(function.rawValue) of \(what) is too large to compute exactly: it passes ±\(largest)")
        }
    }

    static func aggregateValue(_ raw: DatabaseValue, function: AggregateFunction, type: FieldType) -> Value {
        if raw.isNull {
            guard function == .sum else { return .null }
            return type.scale.map { .decimal(Fixed(units: 0, scale: $0)) } ?? .integer(0)
        }
        if function == .sum, case .int64(let units) = raw.storage {
            return type.scale.map { .decimal(Fixed(units: units, scale: $0)) } ?? .integer(units)
        }
        switch function {
        case .count:
            return .integer(Int64.fromDatabaseValue(raw) ?? 0)
        case .min, .max:
            return Value(database: raw, type: type)
        case .sum, .avg:
            let number = Double.fromDatabaseValue(raw) ?? 0
            if let scale = type.scale {
                // Sums of scaled integers are exact in SQLite's total() up to 2^53 units.
                guard let units = Int64(exactly: number.rounded(.toNearestOrEven)) else { return .text(String(number)) }
                return .decimal(Fixed(units: units, scale: scale))
            }
            if function == .sum, type == .integer, let i = Int64(exactly: number.rounded()) { return .integer(i) }
            let text = String(format: "%.2f", number)
            return Fixed(parsing: text, scale: 2).map(Value.decimal) ?? .text(String(number))
        }
    }
}

/// An aggregate over a field.
public enum AggregateFunction: String, Sendable, CaseIterable {
    case count, sum, avg, min, max
}
