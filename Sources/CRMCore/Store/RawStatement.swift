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
            case .string(let s):
                // withUTF8: the string's own bytes, not a temporary C string per bind.
                var s = s
                rc = s.withUTF8 { bytes in
                    guard let base = bytes.baseAddress, !bytes.isEmpty else { return sqlite3_bind_text(handle, index, "", 0, transient) }
                    return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                        sqlite3_bind_text(handle, index, $0, Int32(bytes.count), transient)
                    }
                }
            case .blob(let data):
                rc = data.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), transient) }
            }
            guard rc == SQLITE_OK else { throw failure(statement, rc) }
        }
        let rc = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard rc == SQLITE_DONE else { throw failure(statement, rc) }
    }

    /// Reads only the C statement: this runs on the background writer's thread too, where
    /// GRDB's own accessors refuse to be used.
    private static func failure(_ statement: Statement, _ rc: Int32) -> DatabaseError {
        let handle = statement.sqliteStatement
        let db = sqlite3_db_handle(handle)
        return DatabaseError(resultCode: ResultCode(rawValue: rc), message: db.map { String(cString: sqlite3_errmsg($0)) },
                             sql: sqlite3_sql(handle).map { String(cString: $0) })
    }
}
