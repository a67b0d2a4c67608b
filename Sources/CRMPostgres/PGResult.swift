import CLibPQ

/// The rows of one statement, in text form as the server sent them.
public final class PGResult {
    private let result: OpaquePointer

    init(_ result: OpaquePointer) { self.result = result }
    deinit { PQclear(result) }

    public var rowCount: Int { Int(PQntuples(result)) }
    public var columnCount: Int { Int(PQnfields(result)) }

    /// The column names, in order.
    public var columns: [String] {
        (0..<Int32(columnCount)).map { String(cString: PQfname(result, $0)) }
    }

    /// The type OID of a column (23 int4, 20 int8, 1700 numeric, 25 text, 1082 date …).
    public func columnType(_ column: Int) -> UInt32 { PQftype(result, Int32(column)) }

    /// The table a column was read from (its OID) and the column's number in it; nil for
    /// an expression.
    public func origin(_ column: Int) -> (table: UInt32, column: Int)? {
        let table = PQftable(result, Int32(column))
        guard table != 0 else { return nil }
        return (table, Int(PQftablecol(result, Int32(column))))
    }

    /// The value at `row`, `column` as text; nil for NULL.
    public func value(_ row: Int, _ column: Int) -> String? {
        if PQgetisnull(result, Int32(row), Int32(column)) == 1 { return nil }
        return String(cString: PQgetvalue(result, Int32(row), Int32(column)))
    }

    /// Every row, each a list of text values (nil for NULL).
    public var rows: [[String?]] {
        (0..<rowCount).map { row in (0..<columnCount).map { value(row, $0) } }
    }

    /// How many rows an INSERT, UPDATE, DELETE or COPY touched (0 for other statements).
    public var affectedRows: Int { Int(String(cString: PQcmdTuples(result))) ?? 0 }
}
