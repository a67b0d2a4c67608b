import CRMCore

/// The PostgreSQL store's primitives for the shared computed-field write path
/// (`ComputedFieldStore`): roll-ups and the records to recompute, read inside the write's
/// transaction. A recompute locks its record first (`update(_:id:values:recompute:)`), so
/// the roll-up read after the lock sees every child another client committed meanwhile.
extension PostgresStore: ComputedFieldStore {
    public var openAtomicBlocks: Int { atomicDepth }
    public var bulkLoading: Bool { false }

    public func rollupValue(_ r: Rollup, of field: FieldDefinition, parent: Int64) throws -> Value {
        guard let child = schema.entity(named: r.entity) else { return .null }
        let query = RollupQuery(r, child: child)
        let arguments = [String(parent)] + query.arguments.map { PostgresValue.parameter($0.0, $0.1) }
        let raw = try run(query.sql, arguments).value(0, 0)
        return PostgresValue.value(raw, field.type)
    }

    public func recordIDs(_ entity: String, referencing reference: String, id: Int64) throws -> [Int64] {
        try run("SELECT id FROM \(PostgresDDL.quote(entity)) WHERE \(PostgresDDL.quote(reference)) = ? ORDER BY id", [String(id)])
            .rows.compactMap { $0[0].flatMap { Int64($0) } }
    }

    public func recordIDs(_ e: EntityDefinition, matching filter: Filter?) throws -> [Int64] {
        let condition = try compile(filter, e)
        return try run("SELECT id FROM \(PostgresDDL.quote(e.name)) WHERE \(condition.sql) ORDER BY id", condition.arguments)
            .rows.compactMap { $0[0].flatMap { Int64($0) } }
    }

    public func recordExists(_ e: EntityDefinition, id: Int64) throws -> Bool {
        try run("SELECT 1 FROM \(PostgresDDL.quote(e.name)) WHERE id = ?", [String(id)]).rowCount > 0
    }

    public func recomputeRecord(_ e: EntityDefinition, id: Int64) throws -> Bool {
        try update(e, id: id, values: [:], recompute: true)
    }
}
