import CRMCore

extension PostgresStore: ModuleStore {
    public var moduleDialect: SQLDialect { .postgres }

    public var modulePolicy: AccessPolicy? { policy }

    /// How many rows one FETCH brings: the stream holds at most this many at a time.
    static let streamBatch = 5_000

    /// Runs the statement through a server-side cursor and hands its rows on batch by batch
    /// (`FETCH 5000`), so an analysis over millions of purchases never holds them all. The
    /// arguments are sent as quoted literals (`DECLARE … CURSOR` takes no parameters).
    /// Outside a transaction the cursor lives in a READ ONLY one of its own; inside one, in
    /// a savepoint. The statement reads through the caller's policy (`policed`), so the
    /// rows are those of the customers the caller sees; `customer` is not needed for that.
    public func stream(sql: String, arguments: [Value], customer: Int32?, row: (StreamRow) throws -> Void) throws {
        var index = 0
        let literal = PostgresSQL.numbering(try policed(sql)) { _ in
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

    /// Refuses writing a computed choice on every customer to a caller who does not see them all.
    public func requireAllCustomers(_ what: String) throws {
        if let denial = policy?.allCustomersDenial(what) { throw denial }
    }

    /// How many records one statement of `writeField`'s batched path writes.
    static let fieldWriteBatch = 20_000

    /// Writes the changes in one transaction. With a plugin rule or computed field on the
    /// entity (or a searched or non-text field), each goes through `update`: its rules (which
    /// may refuse, and then nothing is written), computed fields and audit row. Otherwise, as
    /// on SQLite, they are written in batches: the records are locked and their values read
    /// again (`FOR UPDATE`, so a change another client committed meanwhile is the `old` the
    /// audit keeps, and a record already at its new value is left alone), then one `UPDATE`
    /// and one audit `INSERT` per 20,000 from arrays.
    public func writeField(_ e: EntityDefinition, field: String, changes: [FieldChange]) throws {
        try prepareWrite(.update, e)
        let graph = computeGraph?.graph
        let computes = graph.map { !$0.computed(of: e.name).isEmpty || $0.affectsOthers(e.name) } ?? false
        let textual: Bool = {
            switch e.type(of: field) {
            case .text?, .enumeration?: return true
            default: return false
            }
        }()
        try atomically {
            if computes || !textual || e.searchFields.contains(field) || rules(for: .update, e.name) != nil {
                for c in changes { _ = try update(e, id: c.id, values: [field: .text(c.new)]) }
                return
            }
            let table = PostgresDDL.quote(e.name), column = PostgresDDL.quote(field)
            let now = DateCodec.utcText(epochSeconds: clock.now()), at = DateCodec.utcText(epochSeconds: clock.auditNow())
            var start = 0
            while start < changes.count {
                let batch = changes[start..<min(start + PostgresStore.fieldWriteBatch, changes.count)]
                start = batch.endIndex
                let locked = try run("SELECT id, \(column) FROM \(table) WHERE id = ANY(?::bigint[]) ORDER BY id FOR UPDATE",
                                     [PostgresStore.arrayLiteral(batch.map { String($0.id) })])
                var current: [Int64: String?] = [:]
                for row in locked.rows { if let id = row[0].flatMap({ Int64($0) }) { current[id] = row[1] } }
                let writes = batch.compactMap { c -> (id: Int64, old: String?, new: String)? in
                    guard let old = current[c.id], old != c.new else { return nil }  // gone, or already so
                    return (c.id, old, c.new)
                }
                guard !writes.isEmpty else { continue }
                let ids = PostgresStore.arrayLiteral(writes.map { String($0.id) })
                let news = PostgresStore.arrayLiteral(writes.map(\.new))
                try writing(e) {
                    try run("""
                        UPDATE \(table) AS t SET \(column) = v.new, updated = ?
                        FROM unnest(?::bigint[], ?::text[]) AS v(id, new) WHERE t.id = v.id
                        """, [now, ids, news])
                }
                try run("""
                    INSERT INTO _crm_audit (at, "user", via, action, entity, record_id, field, old, new)
                    SELECT ?, ?, ?, 'update', ?, v.id, ?, v.old, v.new
                    FROM unnest(?::bigint[], ?::text[], ?::text[]) AS v(id, old, new)
                    """, [at, user, via, e.name, field, ids, PostgresStore.nullableArrayLiteral(writes.map(\.old)), news])
            }
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
