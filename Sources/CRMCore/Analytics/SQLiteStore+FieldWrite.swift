import GRDB

extension SQLiteStore {
    /// With a plugin rule or computed field on the entity, every change goes through
    /// `update` one by one (rules may refuse, and then nothing is written); otherwise the
    /// changes are written in one batch of prepared statements, one audit row each.
    public func writeField(_ e: EntityDefinition, field: String, changes: [FieldChange]) throws {
        try requireOwnerLoaded(e)
        try atomically {
            // Rules and computed fields see each change as an update; only without them is
            // the bulk path (one statement, one audit row per change) the same thing.
            let computes = computeGraph.map { !$0.graph.computed(of: e.name).isEmpty || $0.graph.affectsOthers(e.name) } ?? false
            if computes || rules(for: .update, e.name) != nil {
                for c in changes { _ = try update(e, id: c.id, values: [field: .text(c.new)]) }
                return
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
        }
    }
}
