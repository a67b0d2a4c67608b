import CRMCore

extension PostgresStore {
    /// An id (`#3`, or a number when the target has no lookup keys), or the one record of
    /// `target` whose lookup key or title is `text` (the rule of `ReferenceText`).
    public func resolveReference(_ e: EntityDefinition, _ f: FieldDefinition, target: String, text: String) throws -> Value {
        guard let t = schema.entity(named: target) else {
            throw StoreError.invalidValue(entity: e.name, field: f.name, value: text, expected: f.type.expectation)
        }
        switch ReferenceText.read(text, target: t) {
        case nil:
            throw StoreError.invalidValue(entity: e.name, field: f.name, value: text, expected: "a record id after # or id: (#3)")
        case .id(let id):
            return .integer(id)
        case .key(let key):
            let matches = try referenceMatches(t, key, limit: 2)
            if matches.triedNothing {
                throw StoreError.invalidValue(entity: e.name, field: f.name, value: text, expected: f.type.expectation)
            }
            let ids = matches.ids
            if ids.count == 1 { return .integer(ids[0]) }
            throw StoreError.referenceUnresolved(entity: e.name, field: f.name,
                                                 reason: ids.isEmpty ? matches.notFound : matches.ambiguous)
        }
    }

    /// The records of `target` whose lookup keys or title equal `key`, at most `limit` per
    /// field (the rule of `ReferenceMatches.find`, shared with the SQLite store).
    func referenceMatches(_ target: EntityDefinition, _ key: String, limit: Int) throws -> ReferenceMatches {
        try reading {
            try ReferenceMatches.find(target, key, parser: parser) { field, value in
                try run("SELECT id FROM \(PostgresDDL.quote(target.name)) WHERE \(PostgresDDL.quote(field.name)) = ? ORDER BY id LIMIT \(limit)",
                        [PostgresValue.parameter(value, field.type)]).rows.compactMap { $0[0].flatMap { Int64($0) } }
            }
        }
    }

    // MARK: Create, update, delete

    public func create(_ entity: String, values: [String: Value], created: Int?) throws -> Int64 {
        let e = try schema.require(entity)
        try prepareWrite(.create, e)
        let values = try policeWrite(.create, e, id: nil, values: values)
        try checkNames(e, values)
        try refuseComputed(e, values)
        var full = values
        for f in e.fields where f.defaultText != nil && values[f.name] == nil {
            full[f.name] = try parser.parse(f.defaultText!, as: f.type)
        }
        let rules = rules(for: .create, e.name)
        return try atomically {
            if let rules {
                var event = WriteEvent(action: .create, entity: e, id: nil, new: full, old: nil)
                try rules.before(&event)
                full = event.new ?? full
                try checkNames(e, full)
            }
            try computeOwn(e, &full, id: nil, changed: nil)
            try check(e, full, changed: nil, id: nil)
            let born = DateCodec.utcText(epochSeconds: created ?? clock.now())
            let columns = e.fields.map { PostgresDDL.quote($0.name) } + ["created", "updated"]
            var arguments = e.fields.map { PostgresValue.parameter(full[$0.name] ?? .null, $0.type) }
            arguments += [born, born]
            let marks = Array(repeating: "?", count: columns.count).joined(separator: ", ")
            let result = try writing(e) {
                try run("INSERT INTO \(PostgresDDL.quote(e.name)) (\(columns.joined(separator: ", "))) VALUES (\(marks)) RETURNING id",
                        arguments)
            }
            guard let id = result.value(0, 0).flatMap({ Int64($0) }) else {
                throw StoreError.database("PostgreSQL at \(displayName): the insert into \(e.name) returned no id")
            }
            if !e.searchFields.isEmpty { try insertGrams(e, id: id, texts: e.searchFields.map { full[$0]?.displayText ?? "" }) }
            let pairs = e.fields.map(\.name).map { ($0, full[$0] ?? .null) }.filter { !$0.1.isNull }
            try audit(action: "create", entity: e.name, id: id, field: nil, old: nil, new: JSONText.object(pairs))
            if let rules { try rules.after(WriteEvent(action: .create, entity: e, id: id, new: full, old: nil)) }
            try noteDependents(.create, e, id: id, new: full, old: nil)
            return id
        }
    }

    @discardableResult
    public func update(_ entity: String, id: Int64, values: [String: Value]) throws -> Bool {
        let e = try schema.require(entity)
        try prepareWrite(.update, e)
        try checkNames(e, values)
        let values = try policeWrite(.update, e, id: id, values: values)
        return try atomically { try update(e, id: id, values: values) }
    }

    public func update(_ entity: String, where filter: Filter?, values: [String: Value]) throws -> Int {
        let e = try schema.require(entity)
        try prepareWrite(.update, e)
        try checkNames(e, values)
        let values = try policeWrite(.update, e, id: nil, values: values)
        let condition = try compile(filter, e, policed: true)
        return try atomically {
            let ids = try run(try policed("SELECT id FROM \(PostgresDDL.quote(e.name)) WHERE \(condition.sql) ORDER BY id"), condition.arguments)
                .rows.compactMap { $0[0].flatMap { Int64($0) } }
            var changed = 0
            for id in ids where try update(e, id: id, values: values) { changed += 1 }
            return changed
        }
    }

    /// One record's update, rules included, inside the caller's transaction. The row is
    /// locked (`FOR NO KEY UPDATE`, which records referencing it do not wait for) before
    /// the rules see it, so two clients changing one record apply their changes one after
    /// the other rather than one over the other. With `recompute`, the record's computed
    /// fields are computed again (and written if they moved): a roll-up is read after the
    /// lock, so it counts what every client committed before (none is lost).
    func update(_ e: EntityDefinition, id: Int64, values: [String: Value], recompute: Bool = false) throws -> Bool {
        guard let old = try fetchRecord(e, id: id, lock: true, keyShared: true) else {
            throw StoreError.notFound(entity: e.name, id: id)
        }
        try refuseComputed(e, values.filter { $0.value != old.values[$0.key] })
        var merged = old.values
        for (name, value) in values { merged[name] = value }
        let computes = computeGraph.map { !$0.graph.computed(of: e.name).isEmpty } ?? false
        if recompute {
            guard computes else { return false }
            try computeOwn(e, &merged, id: id, changed: nil)
            guard e.fields.contains(where: { (merged[$0.name] ?? .null) != (old.values[$0.name] ?? .null) }) else { return false }
        }
        let beforeRules = merged
        let rules = rules(for: .update, e.name)
        var setBy: [String: String] = [:]
        if let rules {
            guard e.fields.contains(where: { merged[$0.name] != old.values[$0.name] }) else { return false }
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
        let changed = e.fields.filter { (merged[$0.name] ?? .null) != (old.values[$0.name] ?? .null) }
        guard !changed.isEmpty else { return false }
        try check(e, merged, changed: Set(changed.map(\.name)), id: id)
        try writeFields(e, id: id, changed, merged)
        for f in changed {
            try audit(action: "update", entity: e.name, id: id, field: f.name,
                      old: auditText(old.values[f.name] ?? .null), new: auditText(merged[f.name] ?? .null), via: setBy[f.name])
        }
        if let rules { try rules.after(WriteEvent(action: .update, entity: e, id: id, new: merged, old: old.values)) }
        try noteDependents(.update, e, id: id, new: merged, old: old.values)
        return true
    }

    /// Writes the `changed` fields of one record from `values`, its `updated` time and, when
    /// a searched field changed, its find grams (no checks, no audit: the caller's).
    func writeFields(_ e: EntityDefinition, id: Int64, _ changed: [FieldDefinition], _ values: [String: Value]) throws {
        let assignments = changed.map { "\(PostgresDDL.quote($0.name)) = ?" } + ["updated = ?"]
        var arguments = changed.map { PostgresValue.parameter(values[$0.name] ?? .null, $0.type) }
        arguments += [DateCodec.utcText(epochSeconds: clock.now()), String(id)]
        try writing(e) {
            try run("UPDATE \(PostgresDDL.quote(e.name)) SET \(assignments.joined(separator: ", ")) WHERE id = ?", arguments)
        }
        if changed.contains(where: { e.searchFields.contains($0.name) }) {
            try run("DELETE FROM \(PostgresDDL.quote("_crm_find_\(e.name)")) WHERE id = ?", [String(id)])
            try insertGrams(e, id: id, texts: e.searchFields.map { values[$0]?.displayText ?? "" })
        }
    }

    public func delete(_ entity: String, id: Int64) throws {
        let e = try schema.require(entity)
        try prepareWrite(.delete, e)
        _ = try policeWrite(.delete, e, id: id, values: [:])
        let rules = rules(for: .delete, e.name)
        try atomically {
            guard let old = try fetchRecord(e, id: id, lock: true) else { throw StoreError.notFound(entity: e.name, id: id) }
            if let rules {
                var event = WriteEvent(action: .delete, entity: e, id: id, new: nil, old: old.values)
                try rules.before(&event)
            }
            var referencing: [(entity: String, field: String, count: Int)] = []
            for (other, field) in schema.references(to: e.name) {
                let n = Int(try run("SELECT count(*) FROM \(PostgresDDL.quote(other.name)) WHERE \(PostgresDDL.quote(field.name)) = ?",
                                    [String(id)]).value(0, 0) ?? "0") ?? 0
                if n > 0 { referencing.append((other.name, field.name, n)) }
            }
            guard referencing.isEmpty else { throw StoreError.stillReferenced(entity: e.name, id: id, by: referencing) }
            // The find grams go with the row (ON DELETE CASCADE).
            try writing(e) { try run("DELETE FROM \(PostgresDDL.quote(e.name)) WHERE id = ?", [String(id)]) }
            let pairs = e.fields.compactMap { f in (old.values[f.name] ?? .null).isNull ? nil : (f.name, old.values[f.name]!) }
            try audit(action: "delete", entity: e.name, id: id, field: nil, old: JSONText.object(pairs), new: nil)
            if let rules { try rules.after(WriteEvent(action: .delete, entity: e, id: id, new: nil, old: old.values)) }
            try noteDependents(.delete, e, id: id, new: nil, old: old.values)
        }
    }

    // MARK: Checks

    /// What every write checks first: the owner plugin is loaded and no compute function
    /// is running.
    func prepareWrite(_ action: WriteAction, _ e: EntityDefinition) throws {
        try requireOwnerLoaded(e)
        try refuseWriteWhileComputing(action, e.name)
    }

    /// Refuses a write of an entity owned by a plugin that is not loaded.
    public func requireOwnerLoaded(_ e: EntityDefinition) throws {
        guard e.owner != "core" else { return }
        guard let rules else {
            throw PluginNotLoaded(entity: e.name, plugin: e.owner, reason: "plugins are off in this run (--no-plugins)")
        }
        if let reason = rules.inactiveReason(plugin: e.owner) {
            throw PluginNotLoaded(entity: e.name, plugin: e.owner, reason: reason)
        }
    }

    func rules(for action: WriteAction, _ entity: String) -> WriteRules? {
        StoreParts.rules(for: action, entity, core: coreRules, plugins: rules, store: self)
    }

    func checkNames(_ e: EntityDefinition, _ values: [String: Value]) throws {
        for name in values.keys.sorted() where e.field(name) == nil {
            if EntityDefinition.systemFields.contains(name) { throw StoreError.readOnlyField(entity: e.name, field: name) }
            throw StoreError.unknownField(entity: e.name, field: name,
                                          suggestion: NameSuggestion.closest(to: name, in: e.fields.map(\.name)))
        }
    }

    /// Required, range, pattern and length of the changed fields (nil: all); references
    /// exist; unique values are free (the unique index has the last word when two clients
    /// race for one value: its violation is reported the same way).
    func check(_ e: EntityDefinition, _ values: [String: Value], changed: Set<String>?, id: Int64?) throws {
        for f in e.fields where changed?.contains(f.name) ?? true {
            let value = values[f.name] ?? .null
            if value.isNull {
                if f.required { throw StoreError.requiredMissing(entity: e.name, field: f.name) }
                continue
            }
            try StoreParts.check(value, field: f, entity: e.name)
        }
        for f in e.fields where changed?.contains(f.name) ?? true {
            let value = values[f.name] ?? .null
            if value.isNull { continue }
            if case .reference(let target) = f.type, case .integer(let ref) = value {
                // FOR KEY SHARE: the target cannot be deleted until this transaction ends.
                let found = try run("SELECT 1 FROM \(PostgresDDL.quote(target)) WHERE id = ? FOR KEY SHARE", [String(ref)])
                if found.rowCount == 0 { throw StoreError.referenceMissing(entity: e.name, field: f.name, target: target, id: ref) }
            }
            if f.unique, let other = try takenBy(e, [f.name], values, id: id) {
                throw StoreError.uniqueTaken(entity: e.name, fields: [f.name], value: value.displayText, existingID: other)
            }
        }
        for index in e.indexes where index.unique && index.fields.contains(where: { changed?.contains($0) ?? true }) {
            if let other = try takenBy(e, index.fields, values, id: id) {
                throw StoreError.uniqueTaken(entity: e.name, fields: index.fields,
                                             value: index.fields.map { values[$0]?.displayText ?? "" }.joined(separator: "+"),
                                             existingID: other)
            }
        }
    }

    func takenBy(_ e: EntityDefinition, _ fields: [String], _ values: [String: Value], id: Int64?) throws -> Int64? {
        let condition = fields.map { "\(PostgresDDL.quote($0)) IS NOT DISTINCT FROM ?" }.joined(separator: " AND ")
        var arguments = fields.map { PostgresValue.parameter(values[$0] ?? .null, e.type(of: $0) ?? .text) }
        arguments.append(id.map { String($0) })
        let sql = "SELECT id FROM \(PostgresDDL.quote(e.name)) WHERE \(condition) AND id IS DISTINCT FROM ?::bigint LIMIT 1"
        return try run(sql, arguments).value(0, 0).flatMap { Int64($0) }
    }

    /// Runs a write statement, turning a unique violation another client's concurrent
    /// write caused into the store's own message.
    @discardableResult
    func writing(_ e: EntityDefinition, _ body: () throws -> PGResult) throws -> PGResult {
        do {
            return try body()
        } catch let error as PGError where error.sqlState == "23505" {
            throw StoreError.uniqueTaken(entity: e.name, fields: [], value: error.message, existingID: nil)
        } catch let error as PGError where error.sqlState == "23503" {
            throw StoreError.database("\(e.name): \(error.message)")
        }
    }

    func insertGrams(_ e: EntityDefinition, id: Int64, texts: [String]) throws {
        let grams = StoreParts.findGrams(of: texts)
        guard !grams.isEmpty else { return }
        try run("INSERT INTO \(PostgresDDL.quote("_crm_find_\(e.name)")) (gram, id) SELECT DISTINCT unnest(?::text[]), ?::bigint",
                [PostgresStore.arrayLiteral(grams), String(id)])
    }

    /// `{"a",NULL}`: a text[] literal whose nil items are NULL.
    static func nullableArrayLiteral(_ items: [String?]) -> String {
        "{" + items.map { $0.map { arrayLiteral([$0]).dropFirst().dropLast() }.map(String.init) ?? "NULL" }.joined(separator: ",") + "}"
    }

    /// `{"a","b"}`: a text[] literal.
    static func arrayLiteral(_ items: [String]) -> String {
        "{" + items.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }

    /// One audit row, as SQLite's: `via` names a rule that set this field, else the store's `via`.
    func audit(action: String, entity: String, id: Int64?, field: String?, old: String?, new: String?, via fieldVia: String? = nil) throws {
        try run("""
            INSERT INTO _crm_audit (at, "user", via, action, entity, record_id, field, old, new)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [DateCodec.utcText(epochSeconds: clock.auditNow()), user, fieldVia ?? via, action, entity,
                  id.map { String($0) }, field, old, new])
    }

    func auditText(_ value: Value) -> String? {
        switch value {
        case .null: return nil
        case .bool(let b): return b ? "true" : "false"
        case .datetime(let s): return s
        default: return value.displayText
        }
    }
}
