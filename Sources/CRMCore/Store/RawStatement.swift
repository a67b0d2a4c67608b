import Foundation
import GRDB
import GRDBSQLite

/// Executes statements with values bound straight through the SQLite C API. Bulk imports
/// write three statements per row; GRDB's general argument handling showed up as a tenth
/// of their time. Also runs on the background writer's thread, so it touches only the C
/// statement, never GRDB's accessors (they check the thread).
enum RawStatement {
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    static func execute(_ statement: Statement, _ values: [DatabaseValue]) throws {
        try execute(statement.sqliteStatement, values)
    }

    /// Binds the values and steps the statement once.
    static func execute(_ handle: OpaquePointer, _ values: [DatabaseValue]) throws {
        sqlite3_reset(handle)
        for (i, value) in values.enumerated() {
            let rc = bind(value, handle, Int32(i + 1))
            guard rc == SQLITE_OK else { throw failure(handle, rc) }
        }
        let rc = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard rc == SQLITE_DONE else { throw failure(handle, rc) }
    }

    /// Steps a statement whose values are bound (`rc`: how binding them went) once.
    static func step(_ handle: OpaquePointer, _ bound: Int32) throws {
        guard bound == SQLITE_OK else { throw failure(handle, bound) }
        let rc = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard rc == SQLITE_DONE else { throw failure(handle, rc) }
    }

    /// Binds a field's value as `Value.databaseValue(for:)` stores it, without making the
    /// `DatabaseValue` (text is bound from the string's own bytes).
    static func bind(_ value: Value, _ type: FieldType, _ handle: OpaquePointer, _ index: Int32) -> Int32 {
        switch value {
        case .null: return sqlite3_bind_null(handle, index)
        case .integer(let n): return sqlite3_bind_int64(handle, index, n)
        case .bool(let b): return sqlite3_bind_int64(handle, index, b ? 1 : 0)
        case .text(let s), .date(let s), .datetime(let s), .json(let s): return bindText(s, handle, index)
        case .decimal: return bind(value.databaseValue(for: type), handle, index)
        }
    }

    /// Binds UTF-8 bytes as text (SQLite copies them).
    static func bindText(_ bytes: [UInt8], _ handle: OpaquePointer, _ index: Int32) -> Int32 {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, !buffer.isEmpty else { return sqlite3_bind_text(handle, index, "", 0, transient) }
            return base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                sqlite3_bind_text(handle, index, $0, Int32(buffer.count), transient)
            }
        }
    }

    static func bindText(_ s: String, _ handle: OpaquePointer, _ index: Int32) -> Int32 {
        var s = s
        return s.withUTF8 { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return sqlite3_bind_text(handle, index, "", 0, transient) }
            return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite3_bind_text(handle, index, $0, Int32(bytes.count), transient)
            }
        }
    }

    static func bind(_ value: DatabaseValue, _ handle: OpaquePointer, _ index: Int32) -> Int32 {
        switch value.storage {
        case .null: return sqlite3_bind_null(handle, index)
        case .int64(let n): return sqlite3_bind_int64(handle, index, n)
        case .double(let d): return sqlite3_bind_double(handle, index, d)
        case .string(let s):
            // withUTF8: the string's own bytes, not a temporary C string per bind.
            return bindText(s, handle, index)
        case .blob(let data):
            return data.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), transient) }
        }
    }

    static func failure(_ handle: OpaquePointer, _ rc: Int32) -> DatabaseError {
        let db = sqlite3_db_handle(handle)
        return DatabaseError(resultCode: ResultCode(rawValue: rc), message: db.map { String(cString: sqlite3_errmsg($0)) },
                             sql: sqlite3_sql(handle).map { String(cString: $0) })
    }
}
