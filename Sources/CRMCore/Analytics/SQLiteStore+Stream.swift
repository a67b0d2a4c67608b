import GRDB
import GRDBSQLite

extension SQLiteStore: ModuleStore {
    public var moduleDialect: SQLDialect { .sqlite }
    public var modulePolicy: AccessPolicy? { policy }

    /// Steps one read-only statement and hands each row (the C statement) to `row`, holding
    /// nothing: analyses read millions of purchases without keeping them.
    ///
    /// For a caller who does not see every customer, the rows are those of the customers
    /// they see: with `customer` (the column holding a row's customer id) the statement
    /// still scans the tables as it is (the sequential NOT INDEXED scans the analyses rely
    /// on) and rows of other customers are skipped against the set of visible customer ids,
    /// read once through the policy; without one, the statement runs through the policy's
    /// views like any read.
    public func stream(sql: String, arguments: [Value], customer: Int32?, row: (StreamRow) throws -> Void) throws {
        let bound = arguments.map { $0.databaseValue(for: .text) }
        guard let policy, policy.role.scope != .all else {
            return try access { db in try SQLiteStore.step(db, sql: sql, arguments: bound) { try row(SQLiteRow(handle: $0)) } }
        }
        guard let customer else {
            return try policed { db in try SQLiteStore.step(db, sql: sql, arguments: bound) { try row(SQLiteRow(handle: $0)) } }
        }
        let visible = try visibleCustomerIDs()
        try access { db in
            try SQLiteStore.step(db, sql: sql, arguments: bound) { h in
                if visible.contains(sqlite3_column_int64(h, customer)) { try row(SQLiteRow(handle: h)) }
            }
        }
    }

    /// The ids of the customers the caller sees.
    func visibleCustomerIDs() throws -> Set<Int64> {
        try policed { db in Set(try Int64.fetchAll(db, sql: "SELECT id FROM \(quoted(CoreEntities.customer.name))")) }
    }

    static func step(_ db: Database, sql: String, arguments: [DatabaseValue], row: (OpaquePointer) throws -> Void) throws {
        let statement = try db.makeStatement(sql: sql)
        try statement.setArguments(StatementArguments(arguments))
        let handle = statement.sqliteStatement
        while true {
            let rc = sqlite3_step(handle)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: rc),
                                    message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))), sql: sql)
            }
            try row(handle)
        }
        sqlite3_reset(handle)
    }

    /// Refuses writing a computed choice on every customer (ABC classes, stages, tiers) to
    /// a caller who does not see them all: classes computed over some customers are not
    /// the classes of all.
    public func requireAllCustomers(_ what: String) throws {
        if let denial = policy?.allCustomersDenial(what) { throw denial }
    }
}

/// A row of a stepped SQLite statement, read straight from the C statement.
struct SQLiteRow: StreamRow {
    let handle: OpaquePointer
    func int(_ i: Int32) -> Int64 { sqlite3_column_int64(handle, i) }
    func isNull(_ i: Int32) -> Bool { sqlite3_column_type(handle, i) == SQLITE_NULL }
    func day(_ i: Int32) -> Int? {
        guard let p = sqlite3_column_text(handle, i) else { return nil }
        return dayOfText(p, count: Int(sqlite3_column_bytes(handle, i)))
    }
    func text(_ i: Int32) -> String? {
        guard let p = sqlite3_column_text(handle, i) else { return nil }
        return String(cString: p)
    }
}
