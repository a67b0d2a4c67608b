import GRDB

/// A value given for a computed field: the system keeps those.
public struct ComputedFieldWrite: Error, CustomStringConvertible, Equatable {
    public var entity: String
    public var field: String
    /// How it is computed (`sum of member.monthly_fee by group`).
    public var how: String

    public init(entity: String, field: String, how: String) {
        self.entity = entity
        self.field = field
        self.how = how
    }

    public var description: String {
        "\(entity).\(field) is computed (\(how)); it cannot be set by add, update or import"
    }
}

/// A `recompute` that cannot run: the entity has no computed fields, or their plugin is not loaded.
public struct RecomputeRefused: Error, CustomStringConvertible, Equatable {
    public var message: String
    public var description: String { message }
}

/// A write from inside a compute function: those only compute their field's value.
public struct WriteWhileComputing: Error, CustomStringConvertible, Equatable {
    public var action: String
    public var entity: String
    public init(action: String, entity: String) {
        self.action = action
        self.entity = entity
    }
    public var description: String {
        "a compute function cannot \(action) \(entity) records: it only computes its field's value from what it reads"
    }
}

/// What `recompute` did.
public struct RecomputeSummary: Equatable, Sendable {
    /// Records whose computed fields were computed again.
    public var recomputed: Int
    /// Of those, the ones whose stored values changed.
    public var changed: Int

    public init(recomputed: Int, changed: Int) {
        self.recomputed = recomputed
        self.changed = changed
    }
}

/// Computed fields in the write path: a record's own are computed before it is written;
/// records that read it (roll-ups of its parent, fields reading its fields) are queued and
/// recomputed once each at the end of the command or import batch, in its transaction.
extension SQLiteStore {
    /// The computed fields of the loaded plugins, when there are any.
    var computeGraph: ComputedFieldsView? {
        guard let rules, let graph = rules.computedFields, !graph.isEmpty else { return nil }
        return ComputedFieldsView(graph: graph, rules: rules)
    }

    struct ComputedFieldsView {
        var graph: ComputeGraph
        var rules: WriteRules
    }

    /// Refuses writes from inside a compute function (they could make what it reads move
    /// while it is being computed).
    func refuseWriteWhileComputing(_ action: WriteAction, _ entity: String) throws {
        if computing > 0 { throw WriteWhileComputing(action: action.rawValue, entity: entity) }
    }

    /// Refuses values people give for computed fields (the schema marks them, so this
    /// holds while their plugin is not loaded too).
    func refuseComputed(_ e: EntityDefinition, _ values: [String: Value]) throws {
        for f in e.fields where f.computed != nil && values[f.name] != nil {
            throw ComputedFieldWrite(entity: e.name, field: f.name, how: f.computed!)
        }
    }

    /// Computes the record's own computed fields that read `changed` (nil: all), in order.
    func computeOwn(_ e: EntityDefinition, _ values: inout [String: Value], id: Int64?, changed: Set<String>?) throws {
        guard let view = computeGraph else { return }
        for f in view.graph.toCompute(e.name, changed: changed) {
            guard let definition = e.field(f.field) else { continue }
            switch f.kind {
            case .rollup(let r):
                values[f.field] = try id.map { try rollupValue(r, of: definition, parent: $0) } ?? emptyRollup(r, definition)
            case .function:
                // What the function reads is declared: should that move in this command,
                // the graph queues this record again, so its reads need no flush first.
                computing += 1
                defer { computing -= 1 }
                let value = try view.rules.compute(f, record: values, id: id, entity: e)
                if !value.isNull { try Validation.check(value, field: definition, entity: e.name) }
                values[f.field] = value
            }
        }
    }

    /// A roll-up over no records: a count or sum of nothing is 0, a min or max is empty.
    func emptyRollup(_ r: Rollup, _ field: FieldDefinition) -> Value {
        switch r.function {
        case .count: return .integer(0)
        case .sum: return Value(database: 0.databaseValue, type: field.type)
        case .min, .max: return .null
        }
    }

    /// The roll-up of one parent record, in SQL.
    func rollupValue(_ r: Rollup, of field: FieldDefinition, parent: Int64) throws -> Value {
        guard let child = schema.entity(named: r.entity) else { return .null }
        var sql = "SELECT "
        switch r.function {
        case .count: sql += "count(*)"
        case .sum: sql += "coalesce(sum(\(quoted(r.field!))), 0)"
        case .min, .max: sql += "\(r.function.rawValue)(\(quoted(r.field!)))"
        }
        sql += " FROM \(quoted(r.entity)) WHERE \(quoted(r.via)) = ?"
        var arguments: [DatabaseValue] = [parent.databaseValue]
        for c in r.conditions {
            let type = child.type(of: c.field) ?? .text
            sql += " AND \(quoted(c.field)) IN (\(Array(repeating: "?", count: c.values.count).joined(separator: ", ")))"
            arguments += c.values.map { $0.databaseValue(for: type) }
        }
        let raw = try access { db in
            try DatabaseValue.fetchOne(db.cachedStatement(sql: sql), arguments: StatementArguments(arguments)) ?? .null
        }
        return Value(database: raw, type: field.type)
    }

    /// Queues the records a write made out of date; outside any command's transaction
    /// (there always is one when a write has dependents) they are recomputed at once.
    func noteDependents(_ action: WriteAction, _ e: EntityDefinition, id: Int64,
                        new: [String: Value]?, old: [String: Value]?) throws {
        guard let view = computeGraph, view.graph.affectsOthers(e.name) else { return }
        for target in view.graph.targets(after: action, e.name, id: id, new: new, old: old) {
            switch target {
            case .record(let entity, let id):
                recomputes.add(entity, id)
            case .referencing(let entity, let reference, let id):
                let ids = try access { db in
                    try Int64.fetchAll(db, sql: "SELECT id FROM \(quoted(entity)) WHERE \(quoted(reference)) = ? ORDER BY id",
                                       arguments: [id])
                }
                for i in ids { recomputes.add(entity, i) }
            }
        }
        if atomicDepth == 0 { try flushRecomputes() }
    }

    /// Recomputes every queued record (and what those recomputes queue in turn). What was
    /// recomputed stays in the queue until the command ends, so that a savepoint rolled
    /// back (its writes, the recomputes among them, undone) queues it again.
    func flushRecomputes() throws {
        guard !flushingRecomputes, !recomputes.isEmpty else { return }
        flushingRecomputes = true
        defer { flushingRecomputes = false }
        while let key = recomputes.popFirst() {
            guard let e = schema.entity(named: key.entity) else { continue }
            // A parent deleted later in the same transaction has nothing left to keep.
            guard try access({ db in try Bool.fetchOne(db, sql: "SELECT 1 FROM \(quoted(e.name)) WHERE id = ?", arguments: [key.id]) }) == true
            else { continue }
            _ = try update(e, id: key.id, values: [:], recompute: true)
        }
    }

    /// A read inside a command sees computed fields current: what its writes so far made
    /// out of date is recomputed first (a command that adds a member and then reads its
    /// group reads the new total). Not inside a bulk load (an import batch): its rules'
    /// reads would recompute a parent per row, and the batch recomputes each once.
    func recomputeBeforeRead() throws {
        if !recomputes.isEmpty && !flushingRecomputes && computing == 0 && atomicDepth > 0 && writeBehindDepth == 0 {
            try flushRecomputes()
        }
    }

    public func recompute(_ entity: String, where filter: Filter?) throws -> RecomputeSummary {
        let e = try schema.require(entity)
        guard e.fields.contains(where: { $0.computed != nil }) else {
            throw RecomputeRefused(message: "\(e.name) has no computed fields")
        }
        try requireOwnerLoaded(e)
        guard let view = computeGraph, !view.graph.computed(of: e.name).isEmpty else {
            throw RecomputeRefused(message: "the computed fields of \(e.name) cannot be recomputed: the plugin that declares them is not loaded")
        }
        let compiled = try FilterCompiler(schema: schema, entity: e, parser: parser).compile(filter)
        return try atomically {
            let ids = try access { db in
                try Int64.fetchAll(db, sql: "SELECT id FROM \(quoted(e.name)) WHERE \(compiled.sql) ORDER BY id",
                                   arguments: StatementArguments(compiled.arguments))
            }
            var changed = 0
            for id in ids where try update(e, id: id, values: [:], recompute: true) { changed += 1 }
            return RecomputeSummary(recomputed: ids.count, changed: changed)
        }
    }

    public func recompute(readingSetting key: String) throws -> RecomputeSummary {
        guard let view = computeGraph else { return RecomputeSummary(recomputed: 0, changed: 0) }
        var total = RecomputeSummary(recomputed: 0, changed: 0)
        try atomically {
            for entity in view.graph.entities(readingSetting: key) {
                let s = try recompute(entity, where: nil)
                total.recomputed += s.recomputed
                total.changed += s.changed
            }
        }
        return total
    }
}
