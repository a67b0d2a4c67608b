import GRDB

extension SQLiteStore {
    public func record(_ entity: String, id: Int64) throws -> Record? {
        let e = try schema.require(entity)
        try recomputeBeforeRead()
        let record = try policed { try fetchRecord(e, id: id, $0) }
        if record != nil { try logPrivateRead(e, fields: e.fields.map(\.name), rows: 1, id: id) }
        return record
    }

    func fetchRecord(_ e: EntityDefinition, id: Int64, _ db: Database) throws -> Record? {
        // Built once per entity (a definition in the making, with other fields, builds its own).
        let sql: String
        if let cached = recordSQLCache[e.name], cached.fields.count == e.fields.count,
           e.fields.indices.allSatisfy({ cached.fields[$0] == e.fields[$0].name }) {
            sql = cached.sql
        } else {
            let columns = (e.fields.map { quoted($0.name) } + ["created", "updated"]).joined(separator: ", ")
            sql = "SELECT \(columns) FROM \(quoted(e.name)) WHERE id = ?"
            recordSQLCache[e.name] = (e.fields.map(\.name), sql)
        }
        guard let row = try Row.fetchOne(db.cachedStatement(sql: sql), arguments: [id]) else { return nil }
        var values: [String: Value] = [:]
        values.reserveCapacity(e.fields.count + 2)
        // By index: iterating copies each definition, and rules fetch records per imported row.
        for i in e.fields.indices {
            let v = Value(database: row[i] as DatabaseValue, type: e.fields[i].type)
            if !v.isNull { values[e.fields[i].name] = v }
        }
        values["created"] = Value(database: row[e.fields.count] as DatabaseValue, type: .datetime)
        values["updated"] = Value(database: row[e.fields.count + 1] as DatabaseValue, type: .datetime)
        return Record(entity: e.name, id: id, values: values)
    }

    public func list(_ query: Query) throws -> ResultTable {
        var rows: [[Value]] = []
        // Its body only collects rows (never runs the same statement again while the
        // cursor is open), so the compiled statement is kept: a rule's crm.list runs once
        // per imported row, and compiling it cost more than running it.
        let columns = try scan(query, cachedStatement: true) { rows.append($0) }
        return ResultTable(title: nil, columns: columns, rows: rows)
    }

    public func scan(_ query: Query, _ body: ([Value]) throws -> Void) throws -> [Column] {
        try scan(query, cachedStatement: false, body)
    }

    func scan(_ query: Query, cachedStatement: Bool, _ body: ([Value]) throws -> Void) throws -> [Column] {
        let e = try schema.require(query.entity)
        try recomputeBeforeRead()
        let names = query.fields ?? e.listFields ?? e.allFieldNames
        var types: [FieldType] = []
        for name in names {
            guard let t = e.type(of: name) else {
                throw QueryError("\(e.name) has no field '\(name)'\(NameSuggestion.hint(for: name, in: e.allFieldNames))")
            }
            types.append(t)
        }
        let compiled = try filterCompiler(e).compile(query.filter)
        var sql = "SELECT \(names.map(quoted).joined(separator: ", ")) FROM \(quoted(e.name)) WHERE \(compiled.sql)"
        var order: [String] = []
        for key in query.order {
            guard e.type(of: key.field.name) != nil else {
                throw QueryError("\(e.name) has no field '\(key.field.name)'\(NameSuggestion.hint(for: key.field.name, in: e.allFieldNames))",
                                 position: key.field.position)
            }
            order.append("\(quoted(key.field.name)) \(key.descending ? "DESC" : "ASC")")
        }
        if !order.contains(where: { $0.hasPrefix("\"id\"") }) { order.append("id ASC") }
        sql += " ORDER BY " + order.joined(separator: ", ")
        var arguments = compiled.arguments
        if query.limit != nil || query.offset != nil {
            sql += " LIMIT ? OFFSET ?"
            arguments += [(query.limit ?? -1).databaseValue, (query.offset ?? 0).databaseValue]
        }
        var rowCount = 0
        try policed { db in
            let statement = cachedStatement ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
            let cursor = try Row.fetchCursor(statement, arguments: StatementArguments(arguments))
            while let row = try cursor.next() {
                rowCount += 1
                try body(types.enumerated().map { Value(database: row[$0.offset] as DatabaseValue, type: $0.element) })
            }
        }
        try logPrivateRead(e, fields: names, rows: rowCount, id: nil)
        return zip(names, types).map { Column($0, label: $0, numeric: $1.isNumeric) }
    }

    public func count(_ entity: String, where filter: Filter?) throws -> Int {
        let e = try schema.require(entity)
        try recomputeBeforeRead()
        let compiled = try filterCompiler(e).compile(filter)
        // Without a filter, no WHERE at all: SQLite counts a table without one by walking
        // its smallest index page by page (a third of the time on a million rows).
        let condition = filter == nil ? "" : " WHERE \(compiled.sql)"
        return try policed { db in
            try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM \(quoted(e.name))\(condition)"),
                             arguments: StatementArguments(compiled.arguments)) ?? 0
        }
    }

    public func history(_ entity: String, id: Int64) throws -> ResultTable {
        let e = try schema.require(entity)
        guard try isVisible(e, id: id) else { throw StoreError.notFound(entity: e.name, id: id) }
        let masking = try historyMasking(e, id: id)
        let rows: [[Value]] = try access { db in
            try Row.fetchAll(db, sql: """
                SELECT at, user, via, action, field, old, new FROM _crm_audit
                WHERE entity = ? AND record_id = ? ORDER BY id
                """, arguments: [e.name, id]).map { row in
                [Value.datetime(row[0]), .text(row[1]),
                 (row[2] as String?).map(Value.text) ?? .null, .text(row[3]),
                 (row[4] as String?).map(Value.text) ?? .null,
                 (row[5] as String?).map { Value.text(masking($0, row[4] as String?)) } ?? .null,
                 (row[6] as String?).map { Value.text(masking($0, row[4] as String?)) } ?? .null]
            }
        }
        return ResultTable(title: "history of \(e.name) \(id)",
                           columns: ["at", "user", "via", "action", "field", "old", "new"].map { Column($0) }, rows: rows)
    }

    public func find(_ text: String, limit: Int) throws -> ResultTable {
        let needle = text.trimmingCharacters(in: .whitespaces)
        let searchable = schema.entities.filter { !$0.searchFields.isEmpty }
        var fieldNames: [String] = []
        for e in searchable { for f in e.searchFields where !fieldNames.contains(f) { fieldNames.append(f) } }
        let grams = FindIndex.queryGrams(needle)
        let like = ("%" + FilterCompiler(schema: schema, entity: CoreEntities.customer, parser: parser).escapeLike(needle) + "%")
        var rows: [[Value]] = []
        try policed { db in
            for e in searchable where rows.count < limit {
                let columns = ["id"] + fieldNames.map { e.searchFields.contains($0) ? quoted($0) : "NULL" }
                let matches = e.searchFields.map { "\(quoted($0)) LIKE ? ESCAPE '\\'" }.joined(separator: " OR ")
                var arguments: [DatabaseValue] = []
                var sql = "SELECT \(columns.joined(separator: ", ")) FROM \(quoted(e.name)) WHERE "
                if !grams.isEmpty {
                    sql += "id IN (SELECT rowid FROM \(quoted(FindIndex.table(e.name))) WHERE \(quoted(FindIndex.table(e.name))) MATCH ?) AND "
                    arguments.append(FindIndex.matchExpression(grams).databaseValue)
                }
                sql += "(\(matches)) ORDER BY id LIMIT ?"
                arguments += Array(repeating: like.databaseValue, count: e.searchFields.count)
                arguments.append((limit - rows.count).databaseValue)
                for row in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)) {
                    var values: [Value] = [.text(e.name), .integer(row[0])]
                    for i in 0..<fieldNames.count { values.append((row[i + 1] as String?).map(Value.text) ?? .null) }
                    rows.append(values)
                }
            }
        }
        for e in searchable {
            let mine = rows.filter { $0[0] == .text(e.name) }
            var one: Int64?
            if mine.count == 1, case .integer(let id) = mine[0][1] { one = id }
            try logPrivateRead(e, fields: e.searchFields, rows: mine.count, id: one)
        }
        let columns = [Column("entity"), Column("id", numeric: true)] + fieldNames.map { Column($0) }
        return ResultTable(title: nil, columns: columns, rows: rows)
    }
}
