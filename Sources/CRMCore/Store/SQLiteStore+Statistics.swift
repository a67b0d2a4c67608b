import GRDB
import GRDBSQLite

/// The query planner's statistics (`sqlite_stat1`), kept close to the data: SQLite picks
/// an index by them, and without them (or with them from a table a hundred times smaller)
/// a rule's lookup can search by an index that matches thousands of rows.
extension SQLiteStore {
    /// After a bulk load into `entity` (an import's batch), inside its transaction:
    /// analyses the table when it has no statistics yet or has at least doubled since it
    /// was analysed, so the statements that follow (the next batch's rule lookups, the
    /// reports after the import) are planned for the table as it now is. SQLite expires
    /// the prepared statements when it analyses, so cached ones are planned again.
    /// Cheap: `analysis_limit` samples a few hundred rows of each index, and a table that
    /// doubles is analysed about log₂(rows) times over its life.
    public func analyseAfterBulkLoad(_ entity: String) throws {
        guard schema.entity(named: entity) != nil else { return }
        try access { db in
            let rows = try Int64.fetchOne(db, sql: "SELECT max(id) FROM \(quoted(entity))") ?? 0
            guard rows >= SQLiteStore.analyseMinimumRows else { return }
            var analysed: Int64 = 0
            if try db.tableExists("sqlite_stat1"),
               let stat = try String.fetchOne(db, sql: "SELECT stat FROM sqlite_stat1 WHERE tbl = ? LIMIT 1", arguments: [entity]) {
                analysed = Int64(stat.prefix { $0 != " " }) ?? 0
            }
            guard rows >= 2 * analysed else { return }
            try db.execute(sql: "PRAGMA analysis_limit = 400")
            try db.execute(sql: "ANALYZE \(quoted(entity))")
        }
    }

    /// Below this many rows a table is left to `PRAGMA optimize` at close: SQLite's
    /// defaults plan a small table well enough.
    static let analyseMinimumRows: Int64 = 1_000

    /// `EXPLAIN QUERY PLAN` of one read-only statement (SELECT, WITH … SELECT), one line per
    /// step, indented by depth (`SEARCH registration USING INDEX …`, `SCAN customer`), with
    /// its placeholders unbound: how SQLite would run it now, with the statistics it has.
    /// For tests and benchmarks that check a lookup is not a scan.
    public func queryPlan(sql: String) throws -> [String] {
        let verb = SQLiteStore.leadingKeyword(sql)
        guard ["SELECT", "WITH", "VALUES"].contains(verb) else {
            throw QueryError("query plan: only a read-only SELECT (or WITH … SELECT) is explained, not \(verb.isEmpty ? "this" : verb)")
        }
        return try access { db in
            try SQLiteStore.requireOneStatement(sql, db)
            // Placeholders bound to NULL: SQLite plans `field = ?` alike whatever is bound later.
            let statement = try db.makeStatement(sql: "EXPLAIN QUERY PLAN " + sql)
            let placeholders = Int(sqlite3_bind_parameter_count(statement.sqliteStatement))
            let rows = try Row.fetchAll(statement, arguments: StatementArguments(Array(repeating: DatabaseValue.null, count: placeholders)))
            var depth: [Int: Int] = [0: -1]
            return rows.map { row in
                let id: Int = row["id"], parent: Int = row["parent"], detail: String = row["detail"]
                let d = (depth[parent] ?? -1) + 1
                depth[id] = d
                return String(repeating: "  ", count: d) + detail
            }
        }
    }
}
