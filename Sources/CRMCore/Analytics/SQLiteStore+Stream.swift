import GRDB
import GRDBSQLite

extension SQLiteStore {
    /// Steps one read-only statement and hands each row's C statement to `row`, holding
    /// nothing: analyses read millions of purchases without keeping them.
    ///
    /// For a caller who does not see every customer, the rows are those of the customers
    /// they see: with `customer` (the column holding a row's customer id) the statement
    /// still scans the tables as it is (the sequential NOT INDEXED scans the analyses rely
    /// on) and rows of other customers are skipped against the set of visible customer ids,
    /// read once through the policy; without one, the statement runs through the policy's
    /// views like any read.
    func stream(sql: String, arguments: [DatabaseValue], customer: Int32? = nil, row: (OpaquePointer) throws -> Void) throws {
        guard let policy, policy.role.scope != .all else {
            return try access { db in try SQLiteStore.step(db, sql: sql, arguments: arguments, row: row) }
        }
        guard let customer else {
            return try policed { db in try SQLiteStore.step(db, sql: sql, arguments: arguments, row: row) }
        }
        let visible = try visibleCustomerIDs()
        try access { db in
            try SQLiteStore.step(db, sql: sql, arguments: arguments) { h in
                if visible.contains(Column64.int(h, customer)) { try row(h) }
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
    func requireAllCustomers(_ what: String) throws {
        guard let policy, policy.role.scope != .all else { return }
        throw AccessDenied("\(what) writes every customer's class; \(policy.user) (\(policy.role.name)) "
                           + "sees \(policy.role.scope == .own ? "their own" : "their team's") customers only "
                           + "(a role that sees every customer does it: admin)")
    }
}

extension SQLiteStore {
    /// Each row's first column as a customer id and its second as text (nil for null),
    /// streamed: the small per-customer maps analyses build (source channel by customer).
    public func idTexts(sql: String, _ body: (Int64, String?) throws -> Void) throws {
        try stream(sql: sql, arguments: [], customer: 0) { h in try body(Column64.int(h, 0), Column64.text(h, 1)) }
    }
}

/// Reading a column of a stepped statement without building values.
enum Column64 {
    static func int(_ handle: OpaquePointer, _ i: Int32) -> Int64 { sqlite3_column_int64(handle, i) }
    static func isNull(_ handle: OpaquePointer, _ i: Int32) -> Bool { sqlite3_column_type(handle, i) == SQLITE_NULL }

    /// The day number of a column holding `YYYY-MM-DD…` text (a date, or a datetime's day).
    static func day(_ handle: OpaquePointer, _ i: Int32) -> Int? {
        guard let p = sqlite3_column_text(handle, i), sqlite3_column_bytes(handle, i) >= 10 else { return nil }
        func d(_ k: Int) -> Int? {
            let c = Int(p[k]) - 48
            return (0...9).contains(c) ? c : nil
        }
        guard let y0 = d(0), let y1 = d(1), let y2 = d(2), let y3 = d(3), p[4] == 45,
              let m0 = d(5), let m1 = d(6), p[7] == 45, let d0 = d(8), let d1 = d(9) else { return nil }
        let m = m0 * 10 + m1, day = d0 * 10 + d1
        guard (1...12).contains(m), (1...31).contains(day) else { return nil }
        return DateCodec.daysFromCivil(y0 * 1000 + y1 * 100 + y2 * 10 + y3, m, day)
    }

    static func text(_ handle: OpaquePointer, _ i: Int32) -> String? {
        guard let p = sqlite3_column_text(handle, i) else { return nil }
        return String(cString: p)
    }
}
