/// What a store keeps for its computed fields while a command runs: the records made out of
/// date (recomputed once each at the end of the command or import batch), whether that
/// recompute is running, and how deep in compute functions we are.
public final class ComputeState {
    public var recomputes = RecomputeQueue()
    public var flushing = false
    /// How deep in compute functions we are (they may not write; their reads do not flush).
    public var computing = 0

    public init() {}
}

/// The computed fields of the loaded plugins, with the rules that compute their functions.
public struct ComputedFieldsView {
    public var graph: ComputeGraph
    public var rules: WriteRules
}

/// The few store primitives the computed-field write path needs; everything else (which
/// fields to compute, what a write makes out of date, the queue, `recompute`) is shared by
/// the SQLite and PostgreSQL stores in the extension below.
public protocol ComputedFieldStore: CRMStore {
    var computeState: ComputeState { get }
    /// How many `atomically` blocks are open (the outermost flushes the queue at its end).
    var openAtomicBlocks: Int { get }
    /// True inside a bulk load, whose batch recomputes each record once at its end.
    var bulkLoading: Bool { get }
    func requireOwnerLoaded(_ e: EntityDefinition) throws
    /// The value of a roll-up over the records of one parent, read inside the write's transaction.
    func rollupValue(_ r: Rollup, of field: FieldDefinition, parent: Int64) throws -> Value
    /// The ids of `entity`'s records whose `reference` is `id`, in id order.
    func recordIDs(_ entity: String, referencing reference: String, id: Int64) throws -> [Int64]
    /// The ids of `e`'s records matching `filter` (nil: all), in id order.
    func recordIDs(_ e: EntityDefinition, matching filter: Filter?) throws -> [Int64]
    func recordExists(_ e: EntityDefinition, id: Int64) throws -> Bool
    /// Computes the record's computed fields again and writes (and audits) those that moved,
    /// with the update rules around it; true when something changed.
    func recomputeRecord(_ e: EntityDefinition, id: Int64) throws -> Bool
}

/// The SELECT of a roll-up over one parent's records: `?` placeholders, the parent id first,
/// then each condition value with its field's type.
public struct RollupQuery {
    public var sql: String
    public var arguments: [(Value, FieldType)]

    public init(_ r: Rollup, child: EntityDefinition) {
        var sql = "SELECT "
        switch r.function {
        case .count: sql += "count(*)"
        case .sum: sql += "coalesce(sum(\(quoted(r.field!))), 0)"
        case .min, .max: sql += "\(r.function.rawValue)(\(quoted(r.field!)))"
        }
        sql += " FROM \(quoted(r.entity)) WHERE \(quoted(r.via)) = ?"
        var arguments: [(Value, FieldType)] = []
        for c in r.conditions {
            let type = child.type(of: c.field) ?? .text
            sql += " AND \(quoted(c.field)) IN (\(Array(repeating: "?", count: c.values.count).joined(separator: ", ")))"
            arguments += c.values.map { ($0, type) }
        }
        self.sql = sql
        self.arguments = arguments
    }
}

/// Computed fields in the write path: a record's own are computed before it is written;
/// records that read it (roll-ups of its parent, fields reading its fields) are queued and
/// recomputed once each at the end of the command or import batch, in its transaction.
extension ComputedFieldStore {
    /// The computed fields of the loaded plugins, when there are any.
    public var computeGraph: ComputedFieldsView? {
        guard let rules, let graph = rules.computedFields, !graph.isEmpty else { return nil }
        return ComputedFieldsView(graph: graph, rules: rules)
    }

    /// Refuses writes from inside a compute function (they could make what it reads move
    /// while it is being computed).
    public func refuseWriteWhileComputing(_ action: WriteAction, _ entity: String) throws {
        if computeState.computing > 0 { throw WriteWhileComputing(action: action.rawValue, entity: entity) }
    }

    /// Refuses values people give for computed fields (the schema marks them, so this
    /// holds while their plugin is not loaded too).
    public func refuseComputed(_ e: EntityDefinition, _ values: [String: Value]) throws {
        for f in e.fields where f.computed != nil && values[f.name] != nil {
            throw ComputedFieldWrite(entity: e.name, field: f.name, how: f.computed!)
        }
    }

    /// Computes the record's own computed fields that read `changed` (nil: all), in order.
    public func computeOwn(_ e: EntityDefinition, _ values: inout [String: Value], id: Int64?, changed: Set<String>?) throws {
        guard let view = computeGraph else { return }
        for f in view.graph.toCompute(e.name, changed: changed) {
            guard let definition = e.field(f.field) else { continue }
            switch f.kind {
            case .rollup(let r):
                values[f.field] = try id.map { try rollupValue(r, of: definition, parent: $0) } ?? emptyRollup(r, definition)
            case .function:
                // What the function reads is declared: should that move in this command,
                // the graph queues this record again, so its reads need no flush first.
                computeState.computing += 1
                defer { computeState.computing -= 1 }
                let value = try view.rules.compute(f, record: values, id: id, entity: e)
                if !value.isNull { try Validation.check(value, field: definition, entity: e.name) }
                values[f.field] = value
            }
        }
    }

    /// A roll-up over no records: a count or sum of nothing is 0, a min or max is empty.
    public func emptyRollup(_ r: Rollup, _ field: FieldDefinition) -> Value {
        switch r.function {
        case .count: return .integer(0)
        case .sum: return Value(database: 0.databaseValue, type: field.type)
        case .min, .max: return .null
        }
    }

    /// Queues the records a write made out of date; outside any command's transaction
    /// (there always is one when a write has dependents) they are recomputed at once.
    public func noteDependents(_ action: WriteAction, _ e: EntityDefinition, id: Int64,
                               new: [String: Value]?, old: [String: Value]?) throws {
        guard let view = computeGraph, view.graph.affectsOthers(e.name) else { return }
        for target in view.graph.targets(after: action, e.name, id: id, new: new, old: old) {
            switch target {
            case .record(let entity, let id):
                computeState.recomputes.add(entity, id)
            case .referencing(let entity, let reference, let id):
                for i in try recordIDs(entity, referencing: reference, id: id) { computeState.recomputes.add(entity, i) }
            }
        }
        if openAtomicBlocks == 0 { try flushRecomputes() }
    }

    /// Recomputes every queued record (and what those recomputes queue in turn). What was
    /// recomputed stays in the queue until the command ends, so that a savepoint rolled
    /// back (its writes, the recomputes among them, undone) queues it again.
    public func flushRecomputes() throws {
        let state = computeState
        guard !state.flushing, !state.recomputes.isEmpty else { return }
        state.flushing = true
        defer { state.flushing = false }
        while let key = state.recomputes.popFirst() {
            guard let e = schema.entity(named: key.entity) else { continue }
            // A parent deleted later in the same transaction has nothing left to keep.
            guard try recordExists(e, id: key.id) else { continue }
            _ = try recomputeRecord(e, id: key.id)
        }
    }

    /// A read inside a command sees computed fields current: what its writes so far made
    /// out of date is recomputed first (a command that adds a member and then reads its
    /// group reads the new total). Not inside a bulk load (an import batch): its rules'
    /// reads would recompute a parent per row, and the batch recomputes each once.
    public func recomputeBeforeRead() throws {
        let state = computeState
        if !state.recomputes.isEmpty && !state.flushing && state.computing == 0 && openAtomicBlocks > 0 && !bulkLoading {
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
        return try atomically {
            let ids = try recordIDs(e, matching: filter)
            var changed = 0
            for id in ids where try recomputeRecord(e, id: id) { changed += 1 }
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
