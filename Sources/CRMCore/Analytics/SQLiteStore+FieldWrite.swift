import GRDB

extension SQLiteStore {
    /// Writes one choice field on every record of an entity from a computed value (ABC
    /// classes, lifecycle stages), as one all-or-nothing change: only records whose value
    /// changes are written, each with its audit row and `updated` time, like `update`.
    ///
    /// `value` gets each record's id and returns the new choice, or nil to leave it. When a
    /// plugin rule watches updates of the entity, every change goes through the rules one by
    /// one (they may refuse, and then nothing is written); otherwise the changes are written
    /// in one batch. Returns the number of records changed.
    @discardableResult
    public func writeChoice(_ entity: String, field: String, value: (Int64) -> String?) throws -> Int {
        let e = try schema.require(entity)
        try requireOwnerLoaded(e)
        try requireAllCustomers("\(entity).\(field)")
        guard let f = e.field(field), case .enumeration(let choices) = f.type else {
            throw StoreError.unknownField(entity: entity, field: field, suggestion: nil)
        }
        var changes: [(id: Int64, new: String, old: String?)] = []
        try stream(sql: "SELECT id, \(quoted(field)) FROM \(quoted(e.name)) ORDER BY id", arguments: []) { h in
            let id = Column64.int(h, 0)
            guard let new = value(id) else { return }
            let old = Column64.text(h, 1)
            if old != new { changes.append((id, new, old)) }
        }
        if let bad = changes.first(where: { !choices.contains($0.new) }) {
            throw ValueSourceError("\(entity).\(field): '\(bad.new)' is not one of \(choices.joined(separator: ", "))")
        }
        guard !changes.isEmpty else { return 0 }
        return try atomically {
            // Rules and computed fields see each change as an update; only without them is
            // the bulk path (one statement, one audit row per change) the same thing.
            let computes = computeGraph.map { !$0.graph.computed(of: e.name).isEmpty || $0.graph.affectsOthers(e.name) } ?? false
            if computes || rules(for: .update, e.name) != nil {
                for c in changes { _ = try update(e, id: c.id, values: [field: .text(c.new)]) }
                return changes.count
            }
            let now = DateCodec.utcText(epochSeconds: clock.now()).databaseValue
            let auditAt = DateCodec.utcText(epochSeconds: clock.auditNow()).databaseValue
            try access { db in
                let write = try db.makeStatement(sql: "UPDATE \(quoted(e.name)) SET \(quoted(field)) = ?, updated = ? WHERE id = ?")
                let audit = try db.makeStatement(sql: SQLiteStore.auditSQL)
                let who = user.databaseValue, via = self.via.databaseValue, action = "update".databaseValue, entityName = e.name.databaseValue,
                    fieldName = field.databaseValue
                for c in changes {
                    let new = c.new.databaseValue
                    try RawStatement.execute(write, [new, now, c.id.databaseValue])
                    try RawStatement.execute(audit, [auditAt, who, via, action, entityName, c.id.databaseValue, fieldName,
                                                     c.old.databaseValue, new])
                }
            }
            return changes.count
        }
    }
}
