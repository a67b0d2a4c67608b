import Foundation
import GRDB

extension SQLiteStore {
    public func create(_ entity: String, values: [String: Value], created: Int? = nil) throws -> Int64 {
        let e = try schema.require(entity)
        try requireOwnerLoaded(e)
        let values = try policeWrite(.create, e, id: nil, values: values)
        try refuseWriteWhileComputing(.create, e.name)
        try checkNames(e, values)
        try refuseComputed(e, values)
        var full = values
        for i in e.fields.indices where e.fields[i].defaultText != nil && values[e.fields[i].name] == nil {
            full[e.fields[i].name] = try parser.parse(e.fields[i].defaultText!, as: e.fields[i].type)
        }
        let rules = rules(for: .create, e.name)
        // Without rules the checks all run before the first write, so a refused record
        // leaves nothing and a savepoint (costly in bulk imports) is not needed. With only
        // before-rules, one is opened if a rule writes something; with after-rules, always.
        try willWrite()
        // (Outside a transaction, always atomically: the record, its find grams and its
        // audit row are one unit.)
        let hasAfterRules = rules?.hasAfterRules(.create, e.name) == true
        // Records computed from this one are recomputed at the end of the outermost
        // `atomically`, which must then be this create's own.
        let computing = computeGraph
        let affectsOthers = computing?.graph.affectsOthers(e.name) == true
        let guarded: (() throws -> Int64) throws -> Int64
        if hasAfterRules || (affectsOthers && atomicDepth == 0) || !(atomicDepth > 0 || insideTransaction) {
            guarded = { try self.atomically($0) }
        } else if rules == nil {
            guarded = { try $0() }
        } else {
            guarded = { try self.lazily($0) }
        }
        return try guarded {
            if let rules {
                var event = WriteEvent(action: .create, entity: e, id: nil, new: full, old: nil)
                try rules.before(&event)
                full = event.new ?? full
                try checkNames(e, full)
            }
            if computing != nil { try computeOwn(e, &full, id: nil, changed: nil) }
            if writeBehindDepth > 0 && atomicDepth > 0 && !hasAfterRules {
                var ordered: [Value] = []
                ordered.reserveCapacity(e.fields.count)
                for i in e.fields.indices { ordered.append(full[e.fields[i].name] ?? .null) }
                let id = try createBehind(e, ordered, created: created)
                if affectsOthers { try noteDependents(.create, e, id: id, new: full, old: nil) }
                return id
            }
            let id = try access { db in
                try check(e, full, changed: nil, id: nil, db)
                let born = DateCodec.utcText(epochSeconds: created ?? clock.now())
                var arguments = e.fields.map { (full[$0.name] ?? .null).databaseValue(for: $0.type) }
                arguments.append(born.databaseValue)
                arguments.append(born.databaseValue)
                try RawStatement.execute(db.cachedStatement(sql: insertSQL(e)), arguments)
                let id = db.lastInsertedRowID
                if !e.searchFields.isEmpty {
                    try FindIndex.insert(e, id: id, texts: e.searchFields.map { full[$0]?.displayText ?? "" }, db)
                }
                try audit(db, action: "create", entity: e.name, id: id, field: nil, old: nil, new: SQLiteStore.createdJSON(e.fields, full))
                return id
            }
            if let rules {
                try rules.after(WriteEvent(action: .create, entity: e, id: id, new: full, old: nil))
            }
            if affectsOthers { try noteDependents(.create, e, id: id, new: full, old: nil) }
            return id
        }
    }

    /// Runs `body` with the records it creates handed to a background writer (bulk loads):
    /// the next record is prepared while SQLite stores the last. Ids are assigned here
    /// (the write lock is held, so max(id) + 1 is what SQLite would pick); any other
    /// access to the database waits for the writer first.
    public func writeBehind<T>(_ body: () throws -> T) throws -> T {
        writeBehindDepth += 1
        defer { writeBehindDepth -= 1 }
        do {
            let result = try body()
            try writes.drain()
            return result
        } catch let error as DatabaseError {
            writes.abandon()
            throw StoreError.database(SQLiteStore.describe(error))
        } catch {
            writes.abandon()
            throw error
        }
    }

    /// What a record handed to the writer needs, prepared once per entity.
    final class BehindStatements: @unchecked Sendable {
        let insert: Statement
        let find: Statement?
        let audit: Statement
        let names: [String]
        let types: [FieldType]
        /// Positions in `fields` of the searched fields.
        let searched: [Int]
        let entity: DatabaseValue
        let action: DatabaseValue = "create".databaseValue

        init(insert: Statement, find: Statement?, audit: Statement, e: EntityDefinition) {
            self.insert = insert
            self.find = find
            self.audit = audit
            names = e.fields.map(\.name)
            types = e.fields.map(\.type)
            searched = e.searchFields.compactMap { name in e.fields.firstIndex { $0.name == name } }
            entity = e.name.databaseValue
        }
    }

    public func create(_ entity: String, ordered given: [Value], created: Int? = nil) throws -> Int64 {
        let e = try schema.require(entity)
        precondition(given.count == e.fields.count, "create(ordered:) takes one value per field of \(e.name)")
        // The bulk path: no access policy to apply, no rule or computed field to see the
        // record, inside an import's transaction with the background writer. The same
        // checks as `create` run on the array; anything else goes through `create`.
        guard policy == nil || via != nil, writeBehindDepth > 0, atomicDepth > 0,
              rules(for: .create, e.name) == nil,
              computeGraph.map({ $0.graph.computed(of: e.name).isEmpty && !$0.graph.affectsOthers(e.name) }) ?? true
        else {
            var values: [String: Value] = [:]
            for i in e.fields.indices where !given[i].isNull { values[e.fields[i].name] = given[i] }
            return try create(entity, values: values, created: created)
        }
        try requireOwnerLoaded(e)
        try refuseWriteWhileComputing(.create, e.name)
        for i in e.fields.indices where e.fields[i].computed != nil && !given[i].isNull {
            throw ComputedFieldWrite(entity: e.name, field: e.fields[i].name, how: e.fields[i].computed!)
        }
        var full = given
        let defaults = try defaults(of: e)
        for i in e.fields.indices where full[i].isNull && e.fields[i].defaultText != nil {
            full[i] = try defaults[i] ?? parser.parse(e.fields[i].defaultText!, as: e.fields[i].type)
        }
        try willWrite()
        return try createBehind(e, full, created: created)
    }

    /// The entity's default values by field position, parsed once; a date or time default
    /// (`today`, `now`) is left nil, to be parsed for each record.
    func defaults(of e: EntityDefinition) throws -> [Value?] {
        if let cached = defaultValues[e.name] { return cached }
        let values: [Value?] = try e.fields.map { f in
            guard let text = f.defaultText else { return nil }
            switch f.type {
            case .date, .datetime: return nil
            default: return try parser.parse(text, as: f.type)
            }
        }
        defaultValues[e.name] = values
        return values
    }

    /// A create inside `writeBehind`, its values by field position: checked here, written
    /// by the background writer.
    func createBehind(_ e: EntityDefinition, _ ordered: [Value], created: Int?) throws -> Int64 {
        try checkValues(e, changed: nil) { ordered[$0] }
        if needsDatabaseCheck(e, changed: nil, value: { ordered[$0] }) {
            var full: [String: Value] = [:]
            for i in e.fields.indices where !ordered[i].isNull { full[e.fields[i].name] = ordered[i] }
            try access { db in try checkDatabase(e, full, changed: nil, id: nil, db) }
        }
        let statements = try behindStatements(e)
        let id = try nextIDs[e.name] ?? access { db in
            try Int64.fetchOne(db, sql: "SELECT max(id) FROM \(quoted(e.name))").map { $0 + 1 } ?? 1
        }
        nextIDs[e.name] = id + 1
        let now = clock.now()
        if nowText.seconds != now { nowText = (now, DateCodec.utcText(epochSeconds: now).databaseValue) }
        let born = created.map { DateCodec.utcText(epochSeconds: $0).databaseValue } ?? nowText.text
        let auditNow = clock.auditNow()
        let at = auditNow == now ? nowText.text : DateCodec.utcText(epochSeconds: auditNow).databaseValue
        // The row, its grams and its audit copy are written from the values by the writer's
        // thread (or this one, when it works inline).
        do {
            try writes.add(WriteBehind.Record(statements: statements, id: id, values: ordered, born: born, at: at,
                                              user: user.databaseValue, via: via.databaseValue))
        } catch let error as DatabaseError {
            throw StoreError.database(SQLiteStore.describe(error))
        }
        return id
    }

    func behindStatements(_ e: EntityDefinition) throws -> BehindStatements {
        if let cached = behindStatements[e.name] { return cached }
        let statements = try access { db in
            let columns = ["id"] + e.fields.map { quoted($0.name) } + ["created", "updated"]
            let marks = Array(repeating: "?", count: columns.count).joined(separator: ", ")
            return BehindStatements(
                insert: try db.makeStatement(sql: "INSERT INTO \(quoted(e.name)) (\(columns.joined(separator: ", "))) VALUES (\(marks))"),
                find: e.searchFields.isEmpty ? nil
                    : try db.makeStatement(sql: "INSERT INTO \(quoted(FindIndex.table(e.name))) (rowid, grams) VALUES (?, ?)"),
                audit: try db.makeStatement(sql: SQLiteStore.auditSQL),
                e: e)
        }
        behindStatements[e.name] = statements
        return statements
    }

    /// The audit trail's copy of a new record: its non-null fields.
    static func createdJSON(_ fields: [FieldDefinition], _ full: [String: Value]) -> String {
        JSONText.object(names: fields.map(\.name), values: fields.map { full[$0.name] ?? .null })
    }

    func insertSQL(_ e: EntityDefinition) -> String {
        if let cached = insertSQLCache[e.name] { return cached }
        let columns = e.fields.map { quoted($0.name) } + ["created", "updated"]
        let marks = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        let sql = "INSERT INTO \(quoted(e.name)) (\(columns.joined(separator: ", "))) VALUES (\(marks))"
        insertSQLCache[e.name] = sql
        return sql
    }

    @discardableResult
    public func update(_ entity: String, id: Int64, values: [String: Value]) throws -> Bool {
        let e = try schema.require(entity)
        try requireOwnerLoaded(e)
        try refuseWriteWhileComputing(.update, e.name)
        try checkNames(e, values)
        let values = try policeWrite(.update, e, id: id, values: values)
        return try atomically { try update(e, id: id, values: values) }
    }

    public func update(_ entity: String, where filter: Filter?, values: [String: Value]) throws -> Int {
        let e = try schema.require(entity)
        try requireOwnerLoaded(e)
        try refuseWriteWhileComputing(.update, e.name)
        try checkNames(e, values)
        let values = try policeWrite(.update, e, id: nil, values: values)
        let compiled = try filterCompiler(e).compile(filter)
        return try atomically {
            let ids = try policed { db in
                try Int64.fetchAll(db, sql: "SELECT id FROM \(quoted(e.name)) WHERE \(compiled.sql) ORDER BY id",
                                   arguments: StatementArguments(compiled.arguments))
            }
            var changed = 0
            for id in ids where try update(e, id: id, values: values) { changed += 1 }
            return changed
        }
    }

    /// One record's update, rules included; the caller holds a savepoint. With `recompute`,
    /// the record's computed fields are computed again (and written if they moved).
    func update(_ e: EntityDefinition, id: Int64, values: [String: Value], recompute: Bool = false) throws -> Bool {
        guard let old = try access({ db in try fetchRecord(e, id: id, db) }) else {
            throw StoreError.notFound(entity: e.name, id: id)
        }
        // A computed field may be given as it is stored (a record read, changed, written
        // back); another value is refused.
        try refuseComputed(e, values.filter { $0.value != old[$0.key] })
        var merged = old.values
        for (name, value) in values { merged[name] = value }
        let computes = computeGraph.map { !$0.graph.computed(of: e.name).isEmpty } ?? false
        if recompute {
            guard computes else { return false }
            try computeOwn(e, &merged, id: id, changed: nil)
            guard e.fields.contains(where: { (merged[$0.name] ?? .null) != old[$0.name] }) else { return false }
        }
        let beforeRules = merged
        let rules = rules(for: .update, e.name)
        var setBy: [String: String] = [:]
        if let rules {
            // Rules see the whole record as it would be, and may change any field of it.
            guard e.fields.contains(where: { merged[$0.name] != old[$0.name] }) else { return false }
            var event = WriteEvent(action: .update, entity: e, id: id, new: merged, old: old.values)
            try rules.before(&event)
            merged = event.new ?? merged
            setBy = event.setBy
            try checkNames(e, merged.filter { !EntityDefinition.systemFields.contains($0.key) })
        }
        if computes {
            // A rule's value for a computed field is not kept; fields reading what moved are computed.
            for f in e.fields where f.computed != nil { merged[f.name] = beforeRules[f.name] ?? .null }
            let since = recompute ? beforeRules : old.values
            let moved = Set(e.fields.filter { (merged[$0.name] ?? .null) != (since[$0.name] ?? .null) }.map(\.name))
            if !moved.isEmpty { try computeOwn(e, &merged, id: id, changed: moved) }
        }
        let changed = e.fields.filter { f in (merged[f.name] ?? .null) != old[f.name] }
        guard !changed.isEmpty else { return false }
        try access { db in
            try writeChanges(e, id: id, changed, old: old.values, new: merged, via: { setBy[$0] }, db)
        }
        if let rules {
            try rules.after(WriteEvent(action: .update, entity: e, id: id, new: merged, old: old.values))
        }
        try noteDependents(.update, e, id: id, new: merged, old: old.values)
        return true
    }

    public func delete(_ entity: String, id: Int64) throws {
        knownReferences = [:]
        let e = try schema.require(entity)
        try requireOwnerLoaded(e)
        try refuseWriteWhileComputing(.delete, e.name)
        _ = try policeWrite(.delete, e, id: id, values: [:])
        let rules = rules(for: .delete, e.name)
        try atomically {
            guard let old = try access({ db in try fetchRecord(e, id: id, db) }) else {
                throw StoreError.notFound(entity: e.name, id: id)
            }
            if let rules {
                var event = WriteEvent(action: .delete, entity: e, id: id, new: nil, old: old.values)
                try rules.before(&event)
            }
            try access { db in
                var referencing: [(entity: String, field: String, count: Int)] = []
                for (other, field) in schema.references(to: e.name) {
                    let n = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(quoted(other.name)) WHERE \(quoted(field.name)) = ?",
                                             arguments: [id]) ?? 0
                    if n > 0 { referencing.append((other.name, field.name, n)) }
                }
                guard referencing.isEmpty else { throw StoreError.stillReferenced(entity: e.name, id: id, by: referencing) }
                try db.execute(sql: "DELETE FROM \(quoted(e.name)) WHERE id = ?", arguments: [id])
                if !e.searchFields.isEmpty { try FindIndex.remove(e, id: id, db) }
                let pairs = e.fields.compactMap { f in old[f.name].isNull ? nil : (f.name, old[f.name]) }
                try audit(db, action: "delete", entity: e.name, id: id, field: nil, old: JSONText.object(pairs), new: nil)
            }
            if let rules {
                try rules.after(WriteEvent(action: .delete, entity: e, id: id, new: nil, old: old.values))
            }
            try noteDependents(.delete, e, id: id, new: nil, old: old.values)
        }
    }

    /// Writes the changed fields of one record after checking them: the row (and its
    /// `updated` time), its find grams when a searchable field moved, and one audit row per
    /// field naming `via(field)`, the rule or command that set it.
    func writeChanges(_ e: EntityDefinition, id: Int64, _ changed: [FieldDefinition], old: [String: Value],
                      new: [String: Value], via: (String) -> String?, _ db: Database) throws {
        try check(e, new, changed: Set(changed.map(\.name)), id: id, db)
        let now = DateCodec.utcText(epochSeconds: clock.now())
        let assignments = changed.map { "\(quoted($0.name)) = ?" } + ["updated = ?"]
        var arguments = changed.map { (new[$0.name] ?? .null).databaseValue(for: $0.type) }
        arguments.append(now.databaseValue)
        arguments.append(id.databaseValue)
        // Cached (one statement per set of changed fields): rules update records per imported row.
        try db.cachedStatement(sql: "UPDATE \(quoted(e.name)) SET \(assignments.joined(separator: ", ")) WHERE id = ?")
            .execute(arguments: StatementArguments(arguments))
        if changed.contains(where: { e.searchFields.contains($0.name) }) {
            try FindIndex.update(e, id: id, texts: e.searchFields.map { new[$0]?.displayText ?? "" }, db)
        }
        for f in changed {
            try audit(db, action: "update", entity: e.name, id: id, field: f.name,
                      old: auditText(old[f.name] ?? .null), new: auditText(new[f.name] ?? .null), via: via(f.name))
        }
    }

    /// Refuses names that are not writable fields, before anything is written.
    func checkNames(_ e: EntityDefinition, _ values: [String: Value]) throws {
        if values.keys.allSatisfy({ name in e.fields.contains { $0.name == name } }) { return }
        for name in values.keys.sorted() where e.field(name) == nil {
            if EntityDefinition.systemFields.contains(name) { throw StoreError.readOnlyField(entity: e.name, field: name) }
            throw StoreError.unknownField(entity: e.name, field: name,
                                          suggestion: NameSuggestion.closest(to: name, in: e.fields.map(\.name)))
        }
    }

    /// Checks the constraints of the changed fields (nil: all) of a record about to be written.
    func check(_ e: EntityDefinition, _ values: [String: Value], changed: Set<String>?, id: Int64?, _ db: Database) throws {
        try checkValues(e, values, changed: changed)
        try checkDatabase(e, values, changed: changed, id: id, db)
    }

    /// The checks of each value on its own: required, range, pattern, length.
    func checkValues(_ e: EntityDefinition, _ values: [String: Value], changed: Set<String>?) throws {
        try checkValues(e, changed: changed) { values[e.fields[$0].name] ?? .null }
    }

    /// The same, reading the value of the field at a position.
    func checkValues(_ e: EntityDefinition, changed: Set<String>?, value: (Int) -> Value) throws {
        // By index: iterating copies each definition, and imports run this per row.
        for i in e.fields.indices where changed?.contains(e.fields[i].name) ?? true {
            let value = value(i)
            if value.isNull {
                if e.fields[i].required { throw StoreError.requiredMissing(entity: e.name, field: e.fields[i].name) }
                continue
            }
            try Validation.check(value, field: e.fields[i], entity: e.name)
        }
    }

    /// Whether `checkDatabase` has anything to look up: a reference not yet seen to exist,
    /// or a unique field or index among the changed fields.
    func needsDatabaseCheck(_ e: EntityDefinition, changed: Set<String>?, value: (Int) -> Value) -> Bool {
        for i in e.fields.indices where changed?.contains(e.fields[i].name) ?? true {
            if e.fields[i].unique { return true }
            if case .reference(let target) = e.fields[i].type, case .integer(let ref) = value(i),
               knownReferences[target]?.contains(ref) != true {
                return true
            }
        }
        return e.indexes.contains { index in index.unique && index.fields.contains { changed?.contains($0) ?? true } }
    }

    /// The checks against other records: references exist, unique values are free.
    func checkDatabase(_ e: EntityDefinition, _ values: [String: Value], changed: Set<String>?, id: Int64?, _ db: Database) throws {
        for f in e.fields where changed?.contains(f.name) ?? true {
            let value = values[f.name] ?? .null
            if value.isNull { continue }
            if case .reference(let target) = f.type, case .integer(let ref) = value,
               knownReferences[target]?.contains(ref) != true {
                let exists = try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM \(quoted(target)) WHERE id = ?"),
                                               arguments: [ref]) ?? false
                if !exists { throw StoreError.referenceMissing(entity: e.name, field: f.name, target: target, id: ref) }
                knownReferences[target, default: []].insert(ref)
            }
            if f.unique {
                let other = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM \(quoted(e.name)) WHERE \(quoted(f.name)) = ? AND id IS NOT ? LIMIT 1"),
                                               arguments: [value.databaseValue(for: f.type), id])
                if let other {
                    throw StoreError.uniqueTaken(entity: e.name, fields: [f.name], value: value.displayText, existingID: other)
                }
            }
        }
        for index in e.indexes where index.unique && index.fields.contains(where: { changed?.contains($0) ?? true }) {
            let condition = index.fields.map { "\(quoted($0)) IS ?" }.joined(separator: " AND ")
            var arguments = index.fields.map { name in (values[name] ?? .null).databaseValue(for: e.type(of: name) ?? .text) }
            arguments.append(id.databaseValue)
            if let other = try Int64.fetchOne(db, sql: "SELECT id FROM \(quoted(e.name)) WHERE \(condition) AND id IS NOT ? LIMIT 1",
                                              arguments: StatementArguments(arguments)) {
                throw StoreError.uniqueTaken(entity: e.name, fields: index.fields,
                                             value: index.fields.map { values[$0]?.displayText ?? "" }.joined(separator: "+"),
                                             existingID: other)
            }
        }
    }

    static let auditSQL = "INSERT INTO _crm_audit (at, user, via, action, entity, record_id, field, old, new) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"

    /// One audit row; `via` names a rule that set this field, else the store's `via`.
    func audit(_ db: Database, action: String, entity: String, id: Int64?, field: String?, old: String?, new: String?,
               via fieldVia: String? = nil) throws {
        try RawStatement.execute(db.cachedStatement(sql: SQLiteStore.auditSQL), [DateCodec.utcText(epochSeconds: clock.auditNow()).databaseValue, user.databaseValue, (fieldVia ?? via).databaseValue, action.databaseValue,
                  entity.databaseValue, id.databaseValue, field.databaseValue, old.databaseValue, new.databaseValue])
    }

    /// A value as the audit trail keeps it: the stored text, nil for null.
    func auditText(_ value: Value) -> String? {
        switch value {
        case .null: return nil
        case .bool(let b): return b ? "true" : "false"
        case .datetime(let s): return s
        default: return value.displayText
        }
    }
}
