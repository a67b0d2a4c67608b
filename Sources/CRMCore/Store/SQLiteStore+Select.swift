import GRDB
import GRDBSQLite

/// What a `select(sql:…)` may read, and who is asking (for the messages).
public struct ReadScope: Sendable {
    /// The tables that may be read; every other table (the store's own `_crm_*` tables,
    /// the find index, `sqlite_*`, other plugins' entities) is refused by name.
    public var tables: Set<String>
    /// Who reads, as messages name it: `plugin 'referrals'`, `a script`.
    public var reader: String
    /// What may be read, said after a refusal.
    public var allowed: String

    public init(tables: Set<String>, reader: String, allowed: String) {
        self.tables = tables
        self.reader = reader
        self.allowed = allowed
    }
}

extension SQLiteStore {
    /// Runs one read-only SQL statement with bound arguments; anything that would write
    /// is refused before it runs.
    public func select(sql: String, arguments: [Value]) throws -> ResultTable {
        try select(sql: sql, arguments: arguments, scope: nil, shouldStop: nil)
    }

    /// Runs one SELECT (or `WITH … SELECT`, `VALUES`) with bound arguments, for plugins.
    ///
    /// Refused before anything runs: a second statement, anything that writes, transaction
    /// control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE: the host owns the transaction),
    /// ATTACH/DETACH, PRAGMA, VACUUM, REINDEX, ANALYZE, EXPLAIN, and with a `scope` any
    /// table outside it. The tables read come from GRDB's statement authorizer (which sees
    /// every table SQLite compiles a read of); crm installs no authorizer of its own, because
    /// replacing GRDB's would break its schema cache and, changed mid-statement, abort the
    /// statements running around a rule. `shouldStop` is asked every 1,000 SQLite steps
    /// (a recursive CTE can run forever in C) and ends the statement when it says so.
    /// Money and decimal columns come back as amounts when they are a field or an
    /// aggregate of one (`originTypes`); other expressions in stored units.
    public func select(sql: String, arguments: [Value], scope: ReadScope?, shouldStop: (() -> Bool)?) throws -> ResultTable {
        try recomputeBeforeRead()
        if let policy, !policy.isUnrestricted { try SQLiteStore.refuseMainSchema(sql) }
        return try policed { db in
            // Checked before anything compiles: SQLite applies many PRAGMAs (writable_schema,
            // foreign_keys…) while compiling them, not when they run.
            let (statement, origins) = try checkedStatement(sql: sql, scope: scope, db)
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
            let stop = StopBox(shouldStop)
            if let connection = db.sqliteConnection, shouldStop != nil {
                sqlite3_progress_handler(connection, 1000, { box in
                    Unmanaged<StopBox>.fromOpaque(box!).takeUnretainedValue().ask() ? 1 : 0
                }, Unmanaged.passUnretained(stop).toOpaque())
            }
            defer {
                if let connection = db.sqliteConnection, shouldStop != nil { sqlite3_progress_handler(connection, 0, nil, nil) }
            }
            do {
                // (The handler holds `stop` unretained: it must outlive the fetch.)
                try withExtendedLifetime(stop) {
                    let cursor = try Row.fetchCursor(statement)
                    while let row = try cursor.next() {
                        rows.append((0..<row.count).map { Value(sqlite: row[$0] as DatabaseValue, origin: origins[$0]) })
                    }
                }
            } catch is DatabaseError where stop.stopped {
                throw QueryError("SQL: the statement was stopped (its time or instruction budget ran out)")
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
        try recomputeBeforeRead()
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
        let compiled = try filterCompiler(e).compile(filter)
        let target = field.map(quoted) ?? "*"
        let expression: String
        switch function {
        case .count: expression = "count(\(target))"
        // sum() of INTEGER columns is exact (money and decimals are scaled integers) and
        // reports an overflow instead of rounding; total() would round past 2^53.
        case .sum: expression = valueType.sqlType == "INTEGER" ? "sum(\(target))" : "total(\(target))"
        // An average of scaled integers is computed here from the sum and count, so it
        // rounds once, half away from zero (Fixed+Rounding). total() never overflows and
        // is exact up to 2^53 units; past that the average is as exact as a double.
        case .avg: expression = valueType.sqlType == "INTEGER" ? "total(\(target)), count(\(target))" : "avg(\(target))"
        case .min: expression = "min(\(target))"
        case .max: expression = "max(\(target))"
        }
        var sql = "SELECT " + (groupBy.map { quoted($0) + ", " } ?? "") + expression
            + " FROM \(quoted(e.name)) WHERE \(compiled.sql)"
        if let groupBy { sql += " GROUP BY \(quoted(groupBy)) ORDER BY \(quoted(groupBy))" }
        let rows: [[Value]] = try policed { db in
            try Self.reportingOverflow(of: function, field.map { "\(e.name).\($0)" } ?? e.name, valueType) {
              try Row.fetchAll(db, sql: sql, arguments: StatementArguments(compiled.arguments)).map { row in
                var out: [Value] = []
                if let groupType { out.append(Value(database: row[0] as DatabaseValue, type: groupType)) }
                if function == .avg, valueType.sqlType == "INTEGER" {
                    out.append(Self.average(sum: row[row.count - 2] as DatabaseValue, count: row[row.count - 1] as DatabaseValue,
                                            type: valueType))
                } else {
                    out.append(Self.aggregateValue(row[row.count - 1] as DatabaseValue, function: function, type: valueType))
                }
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

    /// The average of an integer, decimal or money field from its exact sum and count:
    /// at the field's scale (2 places for integers), rounded half away from zero.
    static func average(sum: DatabaseValue, count: DatabaseValue, type: FieldType) -> Value {
        if case .string(let s) = sum.storage, s == MaskedAggregates.mask { return .text(s) }  // a masked amount's total
        guard let total = Double.fromDatabaseValue(sum), let n = Int64.fromDatabaseValue(count), n > 0 else { return .null }
        let scale = type.scale ?? 0
        if total.magnitude < 0x1p53, let exact = Int64(exactly: total),
           let average = Fixed.quotient(exact, numeratorScale: scale, dividedBy: n, scale: type.scale ?? 2) {
            return .decimal(average)
        }
        let units = total / Double(n)
        guard let whole = Fixed(rounding: units, scale: 0) else { return .text(String(units)) }
        return type.scale.map { .decimal(Fixed(units: whole.units, scale: $0)) } ?? .decimal(whole.rescaled(to: 2) ?? whole)
    }

    static func aggregateValue(_ raw: DatabaseValue, function: AggregateFunction, type: FieldType) -> Value {
        if function != .count, case .string(let s) = raw.storage, s == MaskedAggregates.mask { return .text(s) }  // masked for the caller
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
                guard let units = Int64(exactly: number.rounded(.toNearestOrAwayFromZero)) else { return .text(String(number)) }
                return .decimal(Fixed(units: units, scale: scale))
            }
            if function == .sum, type == .integer, let i = Int64(exactly: number.rounded()) { return .integer(i) }
            return Fixed(rounding: number, scale: 2).map(Value.decimal) ?? .text(String(number))
        }
    }
}

/// An aggregate over a field.
public enum AggregateFunction: String, Sendable, CaseIterable {
    case count, sum, avg, min, max
}

extension SQLiteStore {
    /// The first keyword of a statement, upper-cased, after spaces and comments.
    static func leadingKeyword(_ sql: String) -> String {
        String(skippingSpace(Substring(sql)).prefix { $0.isLetter }).uppercased()
    }

    /// The text after leading spaces and comments.
    static func skippingSpace(_ text: Substring) -> Substring {
        var s = text
        while true {
            s = s.drop { $0.isWhitespace }
            if s.hasPrefix("--") {
                s = s.drop { $0 != "\n" }
            } else if s.hasPrefix("/*") {
                guard let end = s.range(of: "*/") else { return "" }
                s = s[end.upperBound...]
            } else {
                return s
            }
        }
    }

    /// Refuses text with a second statement after the first, without compiling the second
    /// (GRDB's check for one compiles it, and compiling a PRAGMA already applies it).
    static func requireOneStatement(_ sql: String, _ db: Database) throws {
        guard let connection = db.sqliteConnection else { return }
        let bytes = Array(sql.utf8CString)
        var consumed = 0
        let rc = bytes.withUnsafeBufferPointer { buffer -> Int32 in
            var statement: OpaquePointer?
            var tail: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v3(connection, buffer.baseAddress, Int32(buffer.count - 1), 0, &statement, &tail)
            if let tail, let base = buffer.baseAddress { consumed = base.distance(to: tail) }
            sqlite3_finalize(statement)
            return rc
        }
        guard rc == SQLITE_OK else { return }  // the error is reported when GRDB compiles it
        var rest = Substring(String(decoding: bytes.dropLast().dropFirst(consumed).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        while true {
            rest = skippingSpace(rest)
            guard rest.hasPrefix(";") else { break }
            rest = rest.dropFirst()
        }
        guard rest.isEmpty else {
            throw QueryError("SQL: one statement at a time (found a second one after the first ';')")
        }
    }

    /// Refuses a statement that reads a table outside the scope, naming the table.
    ///
    /// The region GRDB's authorizer gathered names every table the statement reads, but
    /// also its CTEs and table-valued functions, so it is tested against the names that
    /// are off limits (each through GRDB's public region API, never by parsing text):
    /// every table and view in the schema outside the scope (crm's `_crm_*` tables, the
    /// find index and its shadow tables, other plugins' entities), SQLite's own
    /// `sqlite_*` tables, the `pragma_*` functions, and virtual-table modules other than
    /// `json_each` and `json_tree` (`sqlite_dbpage` would read raw pages).
    func check(_ region: DatabaseRegion, against scope: ReadScope, _ db: Database) throws {
        if region.isEmpty { return }
        let refuse = { (what: String) in
            QueryError("SQL: \(scope.reader) may not read \(what) (\(scope.allowed))")
        }
        if region.isFullDatabase { throw refuse("the whole database") }
        // The common case, cheaply: every table read is in the scope.
        var scoped = DatabaseRegion()
        for table in scope.tables { scoped.formUnion(try Table(table).databaseRegion(db)) }
        if scoped.union(region) == scoped { return }
        // Something else is read: a CTE, a table-valued function, or a table off limits.
        let allowed = Set(scope.tables.map { $0.lowercased() })
        for name in try SQLiteStore.offLimitCandidates(db)
        where !allowed.contains(name.lowercased()) && !SQLiteStore.isPastPicture(name, ofOneOf: allowed) {
            if region.isModified(byEventsOfKind: .insert(tableName: name)) {
                let isInternal = name.hasPrefix("_crm_") || name.lowercased().hasPrefix("sqlite_") || name.hasPrefix("pragma_")
                throw refuse(isInternal ? "crm's internal table '\(name)'" : "table '\(name)'")
            }
        }
    }

    /// Whether `name` is a table `crm.as_of` made of an entity in `entities`
    /// (`asof_loan_20261031`, `asof_loan_20260301T010000`): it is read like the entity.
    public static func isPastPicture(_ name: String, ofOneOf entities: Set<String>) -> Bool {
        let lower = name.lowercased()
        guard lower.hasPrefix("asof_") else { return false }
        return entities.contains { entity in
            let prefix = "asof_" + entity + "_"
            guard lower.hasPrefix(prefix) else { return false }
            let stamp = lower.dropFirst(prefix.count)
            return !stamp.isEmpty && stamp.allSatisfy { $0.isNumber || $0 == "t" }
        }
    }

    /// Every name a plugin's statement might read that is not an entity table of its scope.
    static func offLimitCandidates(_ db: Database) throws -> [String] {
        let schemaNames = try String.fetchAll(db, sql: "SELECT name FROM sqlite_schema WHERE type IN ('table', 'view')"
                                                  + " UNION SELECT name FROM sqlite_temp_schema WHERE type IN ('table', 'view')")
        if builtinCandidates == nil {
            let pragmas = try String.fetchAll(db, sql: "SELECT 'pragma_' || name FROM pragma_pragma_list")
            let modules = try String.fetchAll(db, sql: "SELECT name FROM pragma_module_list WHERE name NOT IN ('json_each', 'json_tree')")
            builtinCandidates = ["sqlite_schema", "sqlite_master", "sqlite_temp_schema", "sqlite_temp_master",
                                 "sqlite_sequence", "sqlite_stat1", "sqlite_stat4"] + pragmas + modules
        }
        return schemaNames + (builtinCandidates ?? [])
    }

    /// SQLite's own names (fixed for the library loaded), gathered once.
    nonisolated(unsafe) static var builtinCandidates: [String]?
}

/// Carries `shouldStop` into SQLite's progress handler, and whether it fired.
final class StopBox {
    let shouldStop: (() -> Bool)?
    var stopped = false
    init(_ shouldStop: (() -> Bool)?) { self.shouldStop = shouldStop }
    func ask() -> Bool {
        if stopped || shouldStop?() == true { stopped = true }
        return stopped
    }
}
