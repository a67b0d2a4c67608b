import GRDB
import GRDBSQLite

/// Executes a cached GRDB statement with values bound straight through the SQLite C API.
/// Bulk imports write three statements per row; GRDB's general argument handling showed up
/// as a tenth of their time.
enum RawStatement {
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    static func execute(_ statement: Statement, _ values: [DatabaseValue]) throws {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch value.storage {
            case .null: rc = sqlite3_bind_null(handle, index)
            case .int64(let n): rc = sqlite3_bind_int64(handle, index, n)
            case .double(let d): rc = sqlite3_bind_double(handle, index, d)
            case .string(let s): rc = sqlite3_bind_text(handle, index, s, -1, transient)
            case .blob(let data):
                rc = data.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), transient) }
            }
            guard rc == SQLITE_OK else { throw failure(statement, rc) }
        }
        let rc = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard rc == SQLITE_DONE else { throw failure(statement, rc) }
    }

    private static func failure(_ statement: Statement, _ rc: Int32) -> DatabaseError {
        let db = sqlite3_db_handle(statement.sqliteStatement)
        return DatabaseError(resultCode: ResultCode(rawValue: rc), message: db.map { String(cString: sqlite3_errmsg($0)) },
                             sql: statement.sql)
    }
}
