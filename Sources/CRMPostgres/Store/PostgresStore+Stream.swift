import CRMCore

extension PostgresStore: ModuleStore {
    public var moduleDialect: SQLDialect { .postgres }

    /// No access policy on PostgreSQL yet: every caller sees every record.
    public var modulePolicy: AccessPolicy? { nil }

    /// How many rows one FETCH brings: the stream holds at most this many at a time.
    static let streamBatch = 5_000

    /// Runs the statement through a server-side cursor and hands its rows on batch by batch
    /// (`FETCH 5000`), so an analysis over millions of purchases never holds them all. The
    /// arguments are sent as quoted literals (`DECLARE … CURSOR` takes no parameters).
    /// Outside a transaction the cursor lives in a READ ONLY one of its own; inside one, in
    /// a savepoint. `customer` names the customer column for a policy; PostgreSQL has none
    /// yet, so every row is handed on.
    public func stream(sql: String, arguments: [Value], customer: Int32?, row: (StreamRow) throws -> Void) throws {
        var index = 0
        let literal = PostgresSQL.numbering(sql) { _ in
            defer { index += 1 }
            guard index < arguments.count else { return "NULL" }
            return PostgresStore.literal(arguments[index])
        }
        let cursor = "crm_stream_\(UInt32.random(in: 0..<UInt32.max))"
        func body() throws {
            try connection.execute("DECLARE \(cursor) NO SCROLL CURSOR FOR \(literal)")
            while true {
                let batch = try connection.execute("FETCH \(PostgresStore.streamBatch) FROM \(cursor)")
                for i in 0..<batch.rowCount { try row(PostgresRow(result: batch, row: i)) }
                if batch.rowCount < PostgresStore.streamBatch { break }
            }
            try connection.execute("CLOSE \(cursor)")
        }
        if connection.inTransaction {
            try reading(body)
        } else {
            try connection.transaction(readOnly: true, attempts: 1, body)
        }
    }

    /// An argument as an SQL literal: numbers as they are, anything else as quoted text.
    static func literal(_ value: Value) -> String {
        switch value {
        case .null: return "NULL"
        case .integer(let n): return String(n)
        case .bool(let b): return b ? "TRUE" : "FALSE"
        default: return PostgresDDL.literal(value.displayText)
        }
    }

    /// PostgreSQL has no access policy yet, so every caller may write every customer's class.
    public func requireAllCustomers(_ what: String) throws {}

    /// Writes each change through `update` in one transaction: its audit row, `updated`,
    /// the plugin rules (which may refuse, and then nothing is written) and computed fields.
    public func writeField(_ e: EntityDefinition, field: String, changes: [FieldChange]) throws {
        try atomically {
            for c in changes { _ = try update(e, id: c.id, values: [field: .text(c.new)]) }
        }
    }
}

/// One row of a fetched batch, read from the text the server sent.
struct PostgresRow: StreamRow {
    let result: PGResult
    let row: Int

    func int(_ column: Int32) -> Int64 {
        guard let text = result.value(row, Int(column)) else { return 0 }
        if let n = Int64(text) { return n }
        // sum() of a bigint is numeric; a whole number may come back as `12.00`.
        return Int64(text.split(separator: ".").first.map(String.init) ?? "") ?? 0
    }

    func isNull(_ column: Int32) -> Bool { result.value(row, Int(column)) == nil }

    func text(_ column: Int32) -> String? { result.value(row, Int(column)) }

    func day(_ column: Int32) -> Int? {
        guard var text = result.value(row, Int(column)) else { return nil }
        return text.withUTF8 { dayOfText($0.baseAddress!, count: $0.count) }
    }
}
