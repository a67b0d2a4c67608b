import CRMCore

extension PostgresStore {
    /// `filter` as SQL over `e`'s table, or (`policed`) over the policy's rows of it.
    func compile(_ filter: Filter?, _ e: EntityDefinition, policed: Bool = false) throws -> PortableCondition {
        try StoreParts.compile(filter, entity: e, schema: schema, clock: clock, dialect: .postgres,
                               lookup: { [unowned self] target, key in try self.referenceMatches(target, key, limit: 10_000) },
                               segments: { [unowned self] name in try self.segmentDefinition(name) },
                               comparedAs: policed ? maskedValues(e).mapValues(\.typed) : [:])
    }

    /// The private number and date fields of `e` the policy shows as text, masked on some
    /// rows or all (`AccessPolicy.maskedValueFields`): each as an expression of its own type
    /// that is NULL where the value is masked, and the mask. Filters compare, and `order by`
    /// sorts, an owner's own amounts and dates as values (the policy's column is text here:
    /// `'999' > '1000'`), as SQLite does with its column that keeps the value's type.
    func maskedValues(_ e: EntityDefinition) -> [String: (typed: String, mask: String)] {
        var out: [String: (typed: String, mask: String)] = [:]
        for (f, mask) in policy?.maskedValueFields(e) ?? [] {
            let text = PostgresDDL.literal(mask)
            out[f.name] = ("CAST(NULLIF(\(PostgresDDL.quote(f.name)), \(text)) AS \(PostgresDDL.columnType(f.type)))", text)
        }
        return out
    }

    /// The segment named `name` (`in NAME` in a filter), or nil when there is none.
    func segmentDefinition(_ name: String) throws -> SegmentDefinition? {
        guard schema.entity(named: "segment") != nil else { return nil }
        let row = try run("SELECT id, name, kind, compiled FROM segment WHERE name = ?", [name])
        guard row.rowCount == 1, let id = row.value(0, 0).flatMap({ Int64($0) }), let stored = row.value(0, 1) else { return nil }
        return try SegmentDefinition.stored(id: id, name: stored, kind: row.value(0, 2), compiled: row.value(0, 3))
    }

    /// One record. Read inside a write (a rule's `crm.get`, a script), its row is locked
    /// until the write's transaction ends: a rule that checks a record and then acts on it
    /// (the real-estate reserve: is the unit available? then reserve it) sees the record
    /// as the other clients left it, never a value one of them is about to change. Two
    /// commands that lock in opposite orders deadlock; the server ends one, and its
    /// command runs again (`PGConnection.transaction`), so no one sees the deadlock.
    public func record(_ entity: String, id: Int64) throws -> Record? {
        try recomputeBeforeRead()
        let e = try schema.require(entity)
        guard let policy, !policy.isUnrestricted else {
            let record = try reading { try fetchRecord(e, id: id, lock: atomicDepth > 0) }
            // An admin's reads of private fields are logged too, as on SQLite.
            if record != nil { try logPrivateRead(e, fields: e.fields.map(\.name), rows: 1, id: id) }
            return record
        }
        // Locked as the table holds it, read as the policy shows it.
        if atomicDepth > 0 { try run("SELECT 1 FROM \(PostgresDDL.quote(e.name)) WHERE id = ? FOR UPDATE", [String(id)]) }
        let record = try fetchRecord(e, id: id, lock: false, policed: true)
        if record != nil { try logPrivateRead(e, fields: e.fields.map(\.name), rows: 1, id: id) }
        return record
    }

    /// One record; with `lock`, its row is locked until the transaction ends.
    /// `keyShared`: FOR NO KEY UPDATE (enough for an update, and records referencing this
    /// one can be added meanwhile), else FOR UPDATE.
    /// `policed`: read through the caller's policy (then without a lock).
    func fetchRecord(_ e: EntityDefinition, id: Int64, lock: Bool, keyShared: Bool = false, policed: Bool = false) throws -> Record? {
        let columns = (e.fields.map { PostgresDDL.quote($0.name) } + ["created", "updated"]).joined(separator: ", ")
        let sql = "SELECT \(columns) FROM \(PostgresDDL.quote(e.name)) WHERE id = ?\(lock ? keyShared ? " FOR NO KEY UPDATE" : " FOR UPDATE" : "")"
        let result = policed ? try policedRead(sql, [String(id)]) : try run(sql, [String(id)])
        guard result.rowCount == 1 else { return nil }
        var values: [String: Value] = [:]
        for (i, f) in e.fields.enumerated() {
            let v = PostgresValue.value(result.value(0, i), f.type)
            if !v.isNull { values[f.name] = v }
        }
        values["created"] = PostgresValue.value(result.value(0, e.fields.count), .datetime)
        values["updated"] = PostgresValue.value(result.value(0, e.fields.count + 1), .datetime)
        return Record(entity: e.name, id: id, values: values)
    }

    public func list(_ query: Query) throws -> ResultTable {
        var rows: [[Value]] = []
        let columns = try scan(query) { rows.append($0) }
        return ResultTable(title: nil, columns: columns, rows: rows)
    }

    public func scan(_ query: Query, _ body: ([Value]) throws -> Void) throws -> [Column] {
        try recomputeBeforeRead()
        let e = try schema.require(query.entity)
        let names = query.fields ?? e.listFields ?? e.allFieldNames
        var types: [FieldType] = []
        for name in names {
            guard let t = e.type(of: name) else {
                throw QueryError("\(e.name) has no field '\(name)'\(NameSuggestion.hint(for: name, in: e.allFieldNames))")
            }
            types.append(t)
        }
        let condition = try compile(query.filter, e, policed: true)
        var sql = "SELECT \(names.map(PostgresDDL.quote).joined(separator: ", ")) FROM \(PostgresDDL.quote(e.name)) WHERE \(condition.sql)"
        var order: [String] = []
        let masked = maskedValues(e)
        for key in query.order {
            guard e.type(of: key.field.name) != nil else {
                throw QueryError("\(e.name) has no field '\(key.field.name)'\(NameSuggestion.hint(for: key.field.name, in: e.allFieldNames))",
                                 position: key.field.position)
            }
            // NULLS FIRST ascending, as SQLite sorts them.
            let direction = key.descending ? "DESC NULLS LAST" : "ASC NULLS FIRST"
            if let masked = masked[key.field.name] {
                // As SQLite sorts the policy's column: values as values, then the masks (text sorts last).
                order.append("(\(PostgresDDL.quote(key.field.name)) = \(masked.mask)) \(direction), \(masked.typed) \(direction)")
            } else {
                order.append("\(PostgresDDL.quote(key.field.name)) \(direction)")
            }
        }
        if !order.contains(where: { $0.hasPrefix("\"id\"") }) { order.append("id ASC") }
        sql += " ORDER BY " + order.joined(separator: ", ")
        var arguments = condition.arguments
        if let limit = query.limit {
            sql += " LIMIT ?"
            arguments.append(String(max(limit, 0)))
        }
        if let offset = query.offset {
            sql += " OFFSET ?"
            arguments.append(String(max(offset, 0)))
        }
        let result = try policedRead(sql, arguments)
        for row in 0..<result.rowCount {
            try body(types.enumerated().map { PostgresValue.value(result.value(row, $0.offset), $0.element) })
        }
        try logPrivateRead(e, fields: names, rows: result.rowCount, id: nil)
        return zip(names, types).map { Column($0, label: $0, numeric: $1.isNumeric) }
    }

    public func count(_ entity: String, where filter: Filter?) throws -> Int {
        try recomputeBeforeRead()
        let e = try schema.require(entity)
        let condition = try compile(filter, e, policed: true)
        return Int(try policedRead("SELECT count(*) FROM \(PostgresDDL.quote(e.name)) WHERE \(condition.sql)", condition.arguments)
            .value(0, 0) ?? "0") ?? 0
    }

    public func history(_ entity: String, id: Int64) throws -> ResultTable {
        let e = try schema.require(entity)
        guard try isVisible(e, id: id) else { throw StoreError.notFound(entity: e.name, id: id) }
        let masking = try historyMasking(e, id: id)
        let result = try reading {
            try run("""
                SELECT at, "user", via, action, field, old, new FROM _crm_audit
                WHERE entity = ? AND record_id = ? ORDER BY id
                """, [e.name, String(id)])
        }
        if result.rowCount == 0, try reading({ try fetchRecord(e, id: id, lock: false) }) == nil {
            throw StoreError.notFound(entity: e.name, id: id)
        }
        let rows: [[Value]] = result.rows.map { row in
            [PostgresValue.value(row[0], .datetime)] + row[1...4].map { $0.map(Value.text) ?? .null }
                + row[5...6].map { $0.map { Value.text(masking($0, row[4])) } ?? .null }
        }
        return ResultTable(title: "history of \(e.name) \(id)",
                           columns: ["at", "user", "via", "action", "field", "old", "new"].map { Column($0) }, rows: rows)
    }

    /// Substring search over the searchable entities. A query with grams walks the gram
    /// table (primary key `(gram, id)`, so in id order, stopping at the limit) for its
    /// first gram, requires the others, and checks each candidate's record (read by id) with
    /// ILIKE; a query too short for a gram (one Chinese character, two digits) scans with LIKE.
    public func find(_ text: String, limit: Int) throws -> ResultTable {
        let needle = text.trimmingCharacters(in: .whitespaces)
        let searchable = schema.entities.filter { !$0.searchFields.isEmpty }
        var fieldNames: [String] = []
        for e in searchable { for f in e.searchFields where !fieldNames.contains(f) { fieldNames.append(f) } }
        let grams = StoreParts.queryGrams(needle)
        let like = "%" + StoreParts.escapeLike(needle) + "%"
        var rows: [[Value]] = []
        for e in searchable where rows.count < limit {
            let table = PostgresDDL.quote(e.name)
            let gramTable = PostgresDDL.quote("_crm_find_\(e.name)")
            let columns = ["r.id"] + fieldNames.map { e.searchFields.contains($0) ? "r.\(PostgresDDL.quote($0))::text" : "NULL" }
            let matches = e.searchFields.map { "r.\(PostgresDDL.quote($0))::text ILIKE ? ESCAPE '\\'" }.joined(separator: " OR ")
            var arguments: [String?] = []
            var sql: String
            if let first = grams.first {
                // The candidates in id order, then each one's record by its key (LATERAL, fenced
                // by OFFSET 0): left to itself the planner takes `ILIKE '%张伟%'` for a rare
                // match and scans the whole table with it (2 s at a million customers).
                var candidates = "SELECT g.id FROM \(gramTable) g WHERE g.gram = ?"
                arguments.append(first)
                for gram in grams.dropFirst() {
                    candidates += " AND EXISTS (SELECT 1 FROM \(gramTable) o WHERE o.gram = ? AND o.id = g.id)"
                    arguments.append(gram)
                }
                sql = """
                    SELECT \(columns.joined(separator: ", ")) FROM (\(candidates) ORDER BY g.id) c \
                    CROSS JOIN LATERAL (SELECT * FROM \(table) r WHERE r.id = c.id AND (\(matches)) OFFSET 0) r ORDER BY c.id LIMIT ?
                    """
            } else {
                sql = "SELECT \(columns.joined(separator: ", ")) FROM \(table) r WHERE (\(matches)) ORDER BY r.id LIMIT ?"
            }
            arguments += Array(repeating: like, count: e.searchFields.count)
            arguments.append(String(limit - rows.count))
            for row in try policedRead(sql, arguments).rows {
                var values: [Value] = [.text(e.name), .integer(Int64(row[0] ?? "0") ?? 0)]
                for i in 0..<fieldNames.count { values.append(row[i + 1].map(Value.text) ?? .null) }
                rows.append(values)
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

    public func aggregate(_ entity: String, function: AggregateFunction, field: String?, groupBy: String?,
                          where filter: Filter?) throws -> ResultTable {
        try recomputeBeforeRead()
        let e = try schema.require(entity)
        var valueType: FieldType = .integer
        if let field {
            guard let t = e.type(of: field) else {
                throw QueryError("\(e.name) has no field '\(field)'\(NameSuggestion.hint(for: field, in: e.allFieldNames))")
            }
            if function != .count && function != .min && function != .max && !t.isNumeric {
                throw QueryError("\(function.rawValue) needs a number field; \(e.name).\(field) is \(t.name)")
            }
            valueType = t
        } else if function != .count {
            throw QueryError("\(function.rawValue) needs a field")
        }
        var groupType: FieldType?
        if let groupBy {
            guard let t = e.type(of: groupBy) else {
                throw QueryError("\(e.name) has no field '\(groupBy)'\(NameSuggestion.hint(for: groupBy, in: e.allFieldNames))")
            }
            groupType = t
        }
        let condition = try compile(filter, e, policed: true)
        let target = field.map(PostgresDDL.quote) ?? "*"
        let expression: String
        switch function {
        case .count: expression = "count(\(target))"
        // Sums of bigint (integers, money and decimals in units) are exact numerics.
        case .sum: expression = "sum(\(target))"
        case .avg: expression = "sum(\(target)), count(\(target))"
        case .min: expression = "min(\(target))"
        case .max: expression = "max(\(target))"
        }
        var sql = "SELECT " + (groupBy.map { PostgresDDL.quote($0) + ", " } ?? "") + expression
            + " FROM \(PostgresDDL.quote(e.name)) WHERE \(condition.sql)"
        if let groupBy { sql += " GROUP BY \(PostgresDDL.quote(groupBy)) ORDER BY \(PostgresDDL.quote(groupBy)) NULLS FIRST" }
        let result = try policedRead(sql, condition.arguments)
        let what = field.map { "\(e.name).\($0)" } ?? e.name
        var rows: [[Value]] = []
        for row in result.rows {
            var out: [Value] = []
            if let groupType { out.append(PostgresValue.value(row[0], groupType)) }
            switch function {
            case .count:
                out.append(.integer(Int64(row.last!! ) ?? 0))
            case .min, .max:
                out.append(PostgresValue.value(row.last!, valueType))
            case .sum where row.last! == PostgresStore.numberMask, .avg where row[row.count - 2] == PostgresStore.numberMask:
                // A total over a masked amount stays masked.
                out.append(.text(PostgresStore.numberMask))
            case .sum:
                guard let text = row.last! else {
                    out.append(valueType.scale.map { .decimal(Fixed(units: 0, scale: $0)) } ?? .integer(0))
                    break
                }
                guard let units = Int64(text) else {
                    let largest = valueType.scale.map { Fixed(units: .max, scale: $0).description } ?? String(Int64.max)
                    throw QueryError("sum of \(what) is too large to compute exactly: it passes ±\(largest)")
                }
                out.append(valueType.scale.map { .decimal(Fixed(units: units, scale: $0)) } ?? .integer(units))
            case .avg:
                out.append(PostgresStore.average(sum: row[row.count - 2], count: row[row.count - 1], type: valueType))
            }
            rows.append(out)
        }
        let name = function.rawValue + (field.map { "_" + $0 } ?? "")
        var columns = [Column(name, numeric: true)]
        if let groupBy { columns.insert(Column(groupBy), at: 0) }
        return ResultTable(columns: columns, rows: rows)
    }

    /// How a policy shows a private number (and totals of one).
    static let numberMask = Mask.apply("", .number)

    /// The average from the exact sum and count, at the field's scale (2 places for
    /// integers), rounded half away from zero, as the SQLite store computes it.
    static func average(sum: String?, count: String?, type: FieldType) -> Value {
        guard let sum, let n = count.flatMap({ Int64($0) }), n > 0 else { return .null }
        let scale = type.scale ?? 0
        if let exact = Int64(sum), let average = Fixed.quotient(exact, numeratorScale: scale, dividedBy: n, scale: type.scale ?? 2) {
            return .decimal(average)
        }
        guard let total = Double(sum) else { return .null }
        let units = total / Double(n)
        guard let whole = Fixed(rounding: units, scale: 0) else { return .text(String(units)) }
        return type.scale.map { .decimal(Fixed(units: whole.units, scale: $0)) } ?? .decimal(whole.rescaled(to: 2) ?? whole)
    }
}
