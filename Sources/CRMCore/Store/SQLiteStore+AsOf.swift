import Foundation
import GRDB

/// Records as they stood at the end of a past day, rebuilt from the audit trail.
///
/// Every write leaves rows in `_crm_audit`: a create with the new record's fields as JSON,
/// an update per changed field with its old and new text, a delete with the fields as
/// JSON. Undoing, newest first, the rows written after a day ended gives back the records
/// as they were at that moment: a record created later disappears, a deleted one comes
/// back, each changed field gets the value it had before its first later change.
extension SQLiteStore {
    /// The instant a local calendar day ends (the next local midnight), as audit text:
    /// audit rows at or after it are "after the day".
    public static func endOfDay(_ date: String) -> String? {
        guard let days = DateCodec.days(ofDate: date) else { return nil }
        return DateCodec.utcText(epochSeconds: DateCodec.localMidnight(days: days + 1))
    }

    /// Where "after the moment" starts, as audit text: the end of a day given as
    /// `YYYY-MM-DD`, or the second after an instant given as stored UTC text
    /// (`2026-03-01T01:00:00Z`) or local time (`2026-03-01 01:00`).
    public static func cutoff(_ moment: String) -> String? {
        if moment.count == 10, let end = endOfDay(moment) { return end }
        guard moment.count > 10, let t = DateCodec.parseLocalDateTime(moment) else { return nil }
        return DateCodec.utcText(epochSeconds: t + 1)
    }

    /// One record as it stood at the end of `date` (`YYYY-MM-DD`, local), or nil when it
    /// did not exist then (not created yet, or deleted before). `date` may also be an
    /// instant (`2026-03-01T01:00:00Z`, `2026-03-01 01:00`): the record just after it.
    ///
    /// ```swift
    /// let loan = try store.record("loan", id: 7, asOf: "2026-10-31")
    /// ```
    public func record(_ entity: String, id: Int64, asOf date: String) throws -> Record? {
        let e = try schema.require(entity)
        let cutoff = try SQLiteStore.requireEndOfDay(date)
        let seen = try access { db -> Record? in
            guard let past = try pastRecord(e, id: id, cutoff: cutoff, db) else { return nil }
            return try seenNow(e, past, db)
        }
        if seen != nil { try logPrivateRead(e, fields: e.fields.map(\.name), rows: 1, id: id) }
        return seen
    }

    /// The record rebuilt from the audit trail, as every caller's would be.
    func pastRecord(_ e: EntityDefinition, id: Int64, cutoff: String, _ db: Database) throws -> Record? {
        let rows = try Row.fetchAll(db, sql: """
            SELECT action, record_id, field, old FROM _crm_audit
            WHERE entity = ? AND record_id = ? AND at >= ? ORDER BY id DESC
            """, arguments: [e.name, id, cutoff])
        let current = try fetchRecord(e, id: id, db)
        guard !rows.isEmpty else { return current }
        var state = PastState()
        for row in rows { state.undo(action: row[0], field: row[2], old: row[3], entity: e) }
        if state.absent { return nil }
        var values: [String: Value]
        if let base = state.base {
            values = base
        } else if let current {
            values = current.values
        } else {
            return nil
        }
        for (name, value) in state.fields {
            if value.isNull { values[name] = nil } else { values[name] = value }
        }
        return Record(entity: e.name, id: id, values: values)
    }

    /// A past record as the caller's policy shows the same record now: nil when they do
    /// not see it now, private fields masked as `Mask` masks them (see `AccessPolicy+Past`).
    func seenNow(_ e: EntityDefinition, _ record: Record, _ db: Database) throws -> Record? {
        guard let policy, !policy.isUnrestricted else { return record }
        let paths = AccessPolicy.customerPaths(schema)
        func holds(_ condition: String) throws -> Bool {
            try Bool.fetchOne(db, sql: "SELECT \(condition) FROM (SELECT ? AS id) AS _t", arguments: [record.id]) ?? false
        }
        if let condition = policy.pastVisibleCondition(e.name, "_t", paths: paths), try !holds(condition) { return nil }
        let hidden = e.fields.filter { $0.isPrivate && !policy.seesUnmasked($0, of: e.name) }
        guard !hidden.isEmpty else { return record }
        if policy.role.privateFields != .none, try holds(policy.pastOwnCondition(e.name, "_t", paths: paths)) { return record }
        var values = record.values
        for f in hidden {
            guard let v = values[f.name], !v.isNull else { continue }
            let text = String.fromDatabaseValue(v.databaseValue(for: f.type)) ?? ""
            values[f.name] = Value(database: Mask.apply(text, Mask.kind(of: f)).databaseValue, type: f.type)
        }
        return Record(entity: e.name, id: record.id, values: values)
    }

    /// Builds a temporary table holding `entity` as it stood at the end of `date` (or just
    /// after an instant, as for `record(_:id:asOf:)`) and returns its name
    /// (`asof_loan_20261031`, `asof_loan_20260301T010000`), for read-only SQL:
    /// `select count(*) from asof_loan_20261031 where classification = '次级'`.
    ///
    /// The table has the entity's columns (id, the fields, created, updated) stored as in
    /// the entity's own table (money in cents; `select` reads it as amounts, as from the entity). It is rebuilt on every call and lives until
    /// the database is closed (or the caller's policy changes).
    ///
    /// Under an access policy the table holds only what the caller sees of those records
    /// now (`AccessPolicy.pastSelect`): the full picture is built in a scratch table that
    /// is dropped before this returns, so no SQL ever reads it.
    public func materializeAsOf(_ entity: String, date: String) throws -> String {
        let e = try schema.require(entity)
        let cutoff = try SQLiteStore.requireEndOfDay(date)
        let table = "asof_\(e.name)_" + String(date.filter { $0.isNumber || $0 == "T" })
        let columns = ["id"] + e.fields.map(\.name) + ["created", "updated"]
        let list = columns.map(quoted).joined(separator: ", ")
        let scratch = "_crm_asof_scratch"
        let seen = policy?.pastSelect(e, from: "temp.\(quoted(scratch))", schema: schema)
        try access { db in
            try db.execute(sql: "DROP TABLE IF EXISTS temp.\(quoted(table))")
            let definitions = ["id INTEGER PRIMARY KEY"]
                + e.fields.map { "\(quoted($0.name)) \(SQLiteStore.columnAffinity($0.type))" }
                + ["created TEXT", "updated TEXT"]
            try db.execute(sql: "CREATE TEMP TABLE \(quoted(table)) (\(definitions.joined(separator: ", ")))")
            guard let seen else { return try rebuild(e, into: table, columns: columns, cutoff: cutoff, db) }
            try db.execute(sql: "DROP TABLE IF EXISTS temp.\(quoted(scratch))")
            try db.execute(sql: "CREATE TEMP TABLE \(quoted(scratch)) (\(definitions.joined(separator: ", ")))")
            defer { try? db.execute(sql: "DROP TABLE IF EXISTS temp.\(quoted(scratch))") }
            try rebuild(e, into: scratch, columns: columns, cutoff: cutoff, db)
            try db.execute(sql: "INSERT INTO temp.\(quoted(table)) (\(list)) \(seen)")
        }
        return table
    }

    /// Fills the temporary table `table` with `entity` as it stood before `cutoff`.
    private func rebuild(_ e: EntityDefinition, into table: String, columns: [String], cutoff: String, _ db: Database) throws {
        let list = columns.map(quoted).joined(separator: ", ")
        try db.execute(sql: "INSERT INTO temp.\(quoted(table)) (\(list)) SELECT \(list) FROM main.\(quoted(e.name))")

        // Undo, newest first, what was written after the day ended.
        var states: [Int64: PastState] = [:]
        let cursor = try Row.fetchCursor(db, sql: """
            SELECT action, record_id, field, old FROM _crm_audit
            WHERE entity = ? AND at >= ? ORDER BY id DESC
            """, arguments: [e.name, cutoff])
        while let row = try cursor.next() {
            guard let id: Int64 = row[1] else { continue }
            states[id, default: PastState()].undo(action: row[0], field: row[2], old: row[3], entity: e)
        }
        let delete = try db.makeStatement(sql: "DELETE FROM temp.\(quoted(table)) WHERE id = ?")
        let marks = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        let insert = try db.makeStatement(sql: "INSERT INTO temp.\(quoted(table)) (\(list)) VALUES (\(marks))")
        var updates: [String: Statement] = [:]
        for id in states.keys.sorted() {
            let state = states[id]!
            if state.absent {
                try delete.execute(arguments: [id])
                continue
            }
            if let base = state.base {
                // Deleted after the day: back from the delete row, changes before it undone.
                try delete.execute(arguments: [id])
                var arguments: [DatabaseValue] = [id.databaseValue]
                for f in e.fields {
                    let value = state.fields[f.name] ?? base[f.name] ?? .null
                    arguments.append(value.databaseValue(for: f.type))
                }
                arguments.append(.null)
                arguments.append(.null)
                try insert.execute(arguments: StatementArguments(arguments))
                continue
            }
            guard !state.fields.isEmpty else { continue }
            let names = e.fields.map(\.name).filter { state.fields[$0] != nil }
            let sql = "UPDATE temp.\(quoted(table)) SET \(names.map { "\(quoted($0)) = ?" }.joined(separator: ", ")) WHERE id = ?"
            let statement: Statement
            if let cached = updates[sql] { statement = cached } else {
                statement = try db.makeStatement(sql: sql)
                updates[sql] = statement
            }
            var arguments = names.map { state.fields[$0]!.databaseValue(for: e.type(of: $0) ?? .text) }
            arguments.append(id.databaseValue)
            try statement.execute(arguments: StatementArguments(arguments))
        }
    }

    /// The cutoff of `date` (`cutoff(_:)`), or the one-line error naming the malformed date.
    public static func requireEndOfDay(_ date: String) throws -> String {
        guard let cutoff = cutoff(date) else {
            throw QueryError("as of '\(date)': not a date (expected YYYY-MM-DD, or an instant such as 2026-03-01T01:00:00Z)")
        }
        return cutoff
    }

    static func columnAffinity(_ type: FieldType) -> String {
        switch type {
        case .integer, .decimal, .money, .bool, .reference: return "INTEGER"
        default: return "TEXT"
        }
    }
}

/// What undoing a record's later audit rows has found so far (newest first); shared by the
/// SQLite and PostgreSQL stores.
public struct PastState {
    /// The record did not exist at the moment (its create came later).
    public var absent = false
    /// The record's fields at a later delete, when it was deleted after the moment.
    public var base: [String: Value]?
    /// Fields whose value at the moment differs from the one after: the old value of
    /// each one's earliest later change.
    public var fields: [String: Value] = [:]

    public init() {}

    /// Undoes one audit row (the next older one) of the record.
    public mutating func undo(action: String, field: String?, old: String?, entity e: EntityDefinition) {
        switch action {
        case "create":
            absent = true
            base = nil
            fields = [:]
        case "delete":
            absent = false
            base = PastState.decode(old, entity: e)
            fields = [:]
        case "update":
            guard let field, let type = e.type(of: field), e.field(field) != nil else { return }
            fields[field] = PastState.value(old, type: type)
        default:
            break
        }
    }

    /// A field's value from the audit trail's text (`auditText`): money as `1200.00`,
    /// booleans as `true`/`false`, the rest as stored.
    public static func value(_ text: String?, type: FieldType) -> Value {
        guard let text else { return .null }
        switch type {
        case .integer, .reference:
            return Int64(text).map(Value.integer) ?? .null
        case .decimal, .money:
            return Fixed(parsing: text, scale: type.scale ?? 2).map(Value.decimal) ?? .null
        case .bool:
            return .bool(text == "true" || text == "yes")
        case .date:
            return .date(text)
        case .datetime:
            return .datetime(text)
        case .json:
            return .json(text)
        case .text, .enumeration, .month:
            return .text(text)
        }
    }

    /// The fields of a create or delete row's JSON object.
    public static func decode(_ json: String?, entity e: EntityDefinition) -> [String: Value] {
        guard let json, let object = try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed]) as? [String: Any] else {
            return [:]
        }
        var values: [String: Value] = [:]
        for f in e.fields {
            guard let raw = object[f.name], !(raw is NSNull) else { continue }
            switch f.type {
            case .integer, .reference:
                if let n = raw as? NSNumber { values[f.name] = .integer(n.int64Value) }
            case .decimal, .money:
                let scale = f.type.scale ?? 2
                if let n = raw as? NSNumber {
                    values[f.name] = Fixed(rounding: n.doubleValue, scale: scale).map(Value.decimal)
                } else if let s = raw as? String {
                    values[f.name] = Fixed(parsing: s, scale: scale).map(Value.decimal)
                }
            case .bool:
                if let b = raw as? Bool { values[f.name] = .bool(b) }
            case .json:
                if let data = try? JSONSerialization.data(withJSONObject: raw, options: [.fragmentsAllowed]) {
                    values[f.name] = .json(String(decoding: data, as: UTF8.self))
                }
            case .date:
                if let s = raw as? String { values[f.name] = .date(s) }
            case .datetime:
                if let s = raw as? String { values[f.name] = .datetime(s) }
            case .text, .enumeration, .month:
                if let s = raw as? String { values[f.name] = .text(s) } else { values[f.name] = .text("\(raw)") }
            }
        }
        return values
    }
}
