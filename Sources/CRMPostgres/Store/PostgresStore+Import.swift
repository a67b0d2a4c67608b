import CRMCore
import Foundation

/// Imports into PostgreSQL a batch at a time: the rows are checked in Swift (with one
/// query per reference and unique field for the whole batch, not per row), take their ids
/// from the identity sequence, and go in with COPY, their audit rows and find grams too.
/// Each row gets the outcome the row-by-row `create` would give it, in line order.
extension PostgresStore: BatchCreatingStore {
    public var createBatchSize: Int { copyBatchRows }

    public func create(_ entity: String, batch rows: [OrderedRow]) throws -> [Result<Int64, Error>] {
        let e = try schema.require(entity)
        try prepareWrite(.create, e)
        // A caller under an access policy imports row by row: each row's owner and
        // references are checked against what they may see (`policeWrite`), as on SQLite.
        guard policy == nil || via != nil, PostgresStore.copyServes(e, rules: rules(for: .create, e.name), graph: computeGraph?.graph) else {
            return rowByRow(e, rows)
        }
        var attempt = 1
        while true {
            do {
                return try atomically { try copyBatch(e, rows) }
            } catch let error as PGError where error.isRetryable && attempt < 5 && connection.inTransaction {
                // A deadlock with another client: the batch's savepoint is rolled back (its
                // locks with it) and the batch, held here, is checked and written again.
                attempt += 1
                usleep(UInt32(2_000 * attempt * attempt) + UInt32.random(in: 0..<2_000))
            } catch let error as PGError where (error.sqlState == "23505" || error.sqlState == "23503") && connection.inTransaction {
                // Another client took a unique value (or removed a record) after the checks:
                // row by row, only the row that clashes is refused.
                return rowByRow(e, rows)
            }
        }
    }

    /// Whether COPY keeps every semantic of a create of `e`: no rule sees the rows, no
    /// computed field is filled in (the row's own, or another record's that reads `e`),
    /// no record of the batch can point at another one.
    static func copyServes(_ e: EntityDefinition, rules: WriteRules?, graph: ComputeGraph?) -> Bool {
        if rules != nil { return false }
        if let graph, e.fields.contains(where: { $0.computed != nil }) || graph.affectsOthers(e.name) { return false }
        return !e.fields.contains { if case .reference(let target) = $0.type { return target == e.name } else { return false } }
    }

    /// Each row through `create`; after the database fails, the rows after it are not tried.
    func rowByRow(_ e: EntityDefinition, _ rows: [OrderedRow]) -> [Result<Int64, Error>] {
        var failed: Error?
        return rows.map { row in
            if let failed { return .failure(failed) }
            let outcome = Result { try create(e.name, ordered: row.values, created: row.created) }
            if case .failure(let error) = outcome, error is DatabaseFailure { failed = error }
            return outcome
        }
    }

    /// One check of `check(_:_:changed:id:)`, in its order.
    enum BatchCheck {
        case reference(field: Int, target: String)
        case unique(fields: [Int])
    }

    func copyBatch(_ e: EntityDefinition, _ rows: [OrderedRow]) throws -> [Result<Int64, Error>] {
        var outcomes = [Result<Int64, Error>?](repeating: nil, count: rows.count)
        var values = rows.map(\.values)
        let defaults: [(Int, Value)] = try e.fields.indices.compactMap { i in
            try e.fields[i].defaultText.map { (i, try parser.parse($0, as: e.fields[i].type)) }
        }
        // Required, types, ranges, patterns: no query needed.
        for r in rows.indices {
            for (i, value) in defaults where values[r][i].isNull { values[r][i] = value }
            do {
                for (i, f) in e.fields.enumerated() {
                    if let how = f.computed, !values[r][i].isNull { throw ComputedFieldWrite(entity: e.name, field: f.name, how: how) }
                    let value = values[r][i]
                    if value.isNull {
                        if f.required { throw StoreError.requiredMissing(entity: e.name, field: f.name) }
                        continue
                    }
                    try StoreParts.check(value, field: f, entity: e.name)
                }
            } catch {
                outcomes[r] = .failure(error)
            }
        }
        var checks: [BatchCheck] = []
        for (i, f) in e.fields.enumerated() {
            if case .reference(let target) = f.type { checks.append(.reference(field: i, target: target)) }
            if f.unique { checks.append(.unique(fields: [i])) }
        }
        for index in e.indexes where index.unique {
            checks.append(.unique(fields: index.fields.compactMap { name in e.fields.firstIndex { $0.name == name } }))
        }
        // What the table says, for every row still standing, one query per check.
        let standing = rows.indices.filter { outcomes[$0] == nil }
        var failures = [[Int: Error]](repeating: [:], count: checks.count)
        for (k, check) in checks.enumerated() {
            switch check {
            case .reference(let i, let target):
                let ids = standing.compactMap { r -> Int64? in if case .integer(let id) = values[r][i] { return id } else { return nil } }
                guard !ids.isEmpty else { continue }
                // FOR KEY SHARE: the targets cannot be deleted until this transaction ends.
                let found = Set(try run("SELECT id FROM \(PostgresDDL.quote(target)) WHERE id = ANY(?::bigint[]) ORDER BY id FOR KEY SHARE",
                                        [PostgresStore.arrayLiteral(Array(Set(ids)).sorted().map { String($0) })])
                    .rows.compactMap { $0[0].flatMap { Int64($0) } })
                for r in standing {
                    if case .integer(let id) = values[r][i], !found.contains(id) {
                        failures[k][r] = StoreError.referenceMissing(entity: e.name, field: e.fields[i].name, target: target, id: id)
                    }
                }
            case .unique(let fields):
                for (r, existing) in try takenInTable(e, fields, standing, values) {
                    failures[k][r] = uniqueTaken(e, fields, values[r], existing: existing)
                }
            }
        }
        // In line order: a row's first failing check is its outcome, and a row that goes in
        // takes its unique values from the rows after it, as if each had been written alone.
        var accepted: [Int] = []
        var takenInBatch = [[String: Int]](repeating: [:], count: checks.count)
        for r in standing {
            var failure: Error?
            for (k, check) in checks.enumerated() {
                if let error = failures[k][r] { failure = error; break }
                if case .unique(let fields) = check, let key = uniqueKey(fields, values[r]), let earlier = takenInBatch[k][key] {
                    failure = DuplicateInBatch(fields: fields, earlier: earlier)
                    break
                }
            }
            if let failure { outcomes[r] = .failure(failure); continue }
            accepted.append(r)
            for (k, check) in checks.enumerated() {
                if case .unique(let fields) = check, let key = uniqueKey(fields, values[r]) { takenInBatch[k][key] = r }
            }
        }
        let ids = try allocateIDs(e, count: accepted.count)
        var idOfRow: [Int: Int64] = [:]
        for (n, r) in accepted.enumerated() { idOfRow[r] = ids[n]; outcomes[r] = .success(ids[n]) }
        for r in standing {
            guard case .failure(let error as DuplicateInBatch)? = outcomes[r] else { continue }
            outcomes[r] = .failure(uniqueTaken(e, error.fields, values[r], existing: idOfRow[error.earlier]))
        }
        if !accepted.isEmpty { try copyRows(e, accepted.map { (ids: idOfRow[$0]!, values: values[$0], created: rows[$0].created) }) }
        return outcomes.map { $0! }
    }

    /// A unique value of an earlier row of the batch; the row's id is known only later.
    struct DuplicateInBatch: Error {
        var fields: [Int]
        var earlier: Int
    }

    func uniqueTaken(_ e: EntityDefinition, _ fields: [Int], _ row: [Value], existing: Int64?) -> StoreError {
        .uniqueTaken(entity: e.name, fields: fields.map { e.fields[$0].name },
                     value: fields.map { row[$0].displayText }.joined(separator: "+"), existingID: existing)
    }

    /// The unique key of a row as the server compares it; nil when a single field is empty
    /// (no value, nothing to clash with).
    func uniqueKey(_ fields: [Int], _ row: [Value]) -> String? {
        if fields.count == 1 && row[fields[0]].isNull { return nil }
        return fields.map { i in row[i].isNull ? "\u{0}" : "\u{1}" + (PostgresValue.parameter(row[i], .text) ?? "") }
            .joined(separator: "\u{1F}")
    }

    /// Rows whose unique value (of `fields`) a record in the table already has, with its id.
    func takenInTable(_ e: EntityDefinition, _ fields: [Int], _ rows: [Int], _ values: [[Value]]) throws -> [(Int, Int64)] {
        var complete: [Int] = [], partial: [Int] = []
        for r in rows {
            if fields.count == 1 && values[r][fields[0]].isNull { continue }
            if fields.contains(where: { values[r][$0].isNull }) { partial.append(r) } else { complete.append(r) }
        }
        var taken: [(Int, Int64)] = []
        // A key with an empty part is matched as `takenBy` matches it (IS NOT DISTINCT FROM), one by one.
        for r in partial {
            var given: [String: Value] = [:]
            for i in fields { given[e.fields[i].name] = values[r][i] }
            if let other = try takenBy(e, fields.map { e.fields[$0].name }, given, id: nil) { taken.append((r, other)) }
        }
        guard !complete.isEmpty else { return taken }
        let columns = ["r"] + fields.indices.map { "c\($0)" }
        let arrays = ["?::bigint[]"] + fields.map { _ in "?::text[]" }
        let join = fields.enumerated().map { n, i -> String in
            let f = e.fields[i]
            return "t.\(PostgresDDL.quote(f.name)) = u.c\(n)::\(PostgresDDL.columnType(f.type))"
        }.joined(separator: " AND ")
        var arguments = [PostgresStore.arrayLiteral(complete.map { String($0) })]
        for i in fields {
            arguments.append(PostgresStore.arrayLiteral(complete.map { PostgresValue.parameter(values[$0][i], e.fields[i].type) ?? "" }))
        }
        let sql = """
            SELECT u.r, min(t.id) FROM unnest(\(arrays.joined(separator: ", "))) AS u(\(columns.joined(separator: ", "))) \
            JOIN \(PostgresDDL.quote(e.name)) t ON \(join) GROUP BY u.r
            """
        for row in try run(sql, arguments).rows {
            if let r = row[0].flatMap({ Int($0) }), let id = row[1].flatMap({ Int64($0) }) { taken.append((r, id)) }
        }
        return taken
    }

    /// `count` new ids from the table's identity sequence, in increasing order.
    func allocateIDs(_ e: EntityDefinition, count: Int) throws -> [Int64] {
        guard count > 0 else { return [] }
        return try run("SELECT nextval(pg_get_serial_sequence(?, 'id')) FROM generate_series(1, ?::integer)",
                       [PostgresDDL.quote(e.name), String(count)])
            .rows.compactMap { $0[0].flatMap { Int64($0) } }.sorted()
    }

    /// The accepted rows, their `create` audit rows and their find grams, by COPY.
    func copyRows(_ e: EntityDefinition, _ rows: [(ids: Int64, values: [Value], created: Int?)]) throws {
        let columns = ["id"] + e.fields.map { PostgresDDL.quote($0.name) } + ["created", "updated"]
        _ = try connection.copyIn("COPY \(PostgresDDL.quote(e.name)) (\(columns.joined(separator: ", "))) FROM STDIN") { writer in
            for row in rows {
                let born = DateCodec.utcText(epochSeconds: row.created ?? clock.now())
                try writer.row([String(row.ids)] + e.fields.indices.map { PostgresValue.copyText(row.values[$0], e.fields[$0].type) } + [born, born])
            }
        }
        _ = try connection.copyIn("COPY _crm_audit (at, \"user\", via, action, entity, record_id, field, old, new) FROM STDIN") { writer in
            for row in rows {
                let pairs = e.fields.indices.filter { !row.values[$0].isNull }.map { (e.fields[$0].name, row.values[$0]) }
                try writer.row([DateCodec.utcText(epochSeconds: clock.auditNow()), user, via, "create", e.name,
                                String(row.ids), nil, nil, JSONText.object(pairs)])
            }
        }
        guard !e.searchFields.isEmpty else { return }
        let searched = e.searchFields.compactMap { name in e.fields.firstIndex { $0.name == name } }
        _ = try connection.copyIn("COPY \(PostgresDDL.quote("_crm_find_\(e.name)")) (gram, id) FROM STDIN") { writer in
            for row in rows {
                let id = String(row.ids)
                var seen = Set<String>()
                for gram in StoreParts.findGrams(of: searched.map { row.values[$0].displayText }) where seen.insert(gram).inserted {
                    try writer.row([gram, id])
                }
            }
        }
    }
}
