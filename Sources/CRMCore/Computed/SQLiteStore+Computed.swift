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

/// The SQLite store's primitives for the shared computed-field write path (`ComputedFieldStore`).
extension SQLiteStore: ComputedFieldStore {
    public var openAtomicBlocks: Int { atomicDepth }
    public var bulkLoading: Bool { writeBehindDepth > 0 }

    /// The roll-up of one parent record, in SQL.
    public func rollupValue(_ r: Rollup, of field: FieldDefinition, parent: Int64) throws -> Value {
        guard let child = schema.entity(named: r.entity) else { return .null }
        let query = RollupQuery(r, child: child)
        let arguments = [parent.databaseValue] + query.arguments.map { $0.0.databaseValue(for: $0.1) }
        let raw = try access { db in
            try DatabaseValue.fetchOne(db.cachedStatement(sql: query.sql), arguments: StatementArguments(arguments)) ?? .null
        }
        return Value(database: raw, type: field.type)
    }

    public func recordIDs(_ entity: String, referencing reference: String, id: Int64) throws -> [Int64] {
        try access { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM \(quoted(entity)) WHERE \(quoted(reference)) = ? ORDER BY id",
                               arguments: [id])
        }
    }

    public func recordIDs(_ e: EntityDefinition, matching filter: Filter?) throws -> [Int64] {
        let compiled = try FilterCompiler(schema: schema, entity: e, parser: parser).compile(filter)
        return try access { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM \(quoted(e.name)) WHERE \(compiled.sql) ORDER BY id",
                               arguments: StatementArguments(compiled.arguments))
        }
    }

    public func recordExists(_ e: EntityDefinition, id: Int64) throws -> Bool {
        try access { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM \(quoted(e.name)) WHERE id = ?", arguments: [id]) } == true
    }

    public func recomputeRecord(_ e: EntityDefinition, id: Int64) throws -> Bool {
        try update(e, id: id, values: [:], recompute: true)
    }
}
