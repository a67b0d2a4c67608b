import GRDB

extension SQLiteStore: MergingStore {
    /// Merges record `mergedID` into `survivorID` in one transaction: every record of any
    /// entity (plugins' included, found from the schema) that refers to the merged one is
    /// moved to the survivor, the survivor's empty fields are filled from the merged one,
    /// the older `created` is kept (first-visit ownership), both histories record the merge
    /// and the merged record is deleted.
    ///
    /// Rules see one `merge` event on the entity (id: the survivor, new: the survivor as it
    /// will be, old: the merged record) and may refuse it or change the survivor; the moves
    /// themselves are not update events. With `dryRun` everything runs, rules included, and
    /// is rolled back: the plan says what would happen.
    public func merge(_ entity: String, _ mergedID: Int64, into survivorID: Int64, dryRun: Bool = false) throws -> MergePlan {
        let e = try schema.require(entity)
        try requireOwnerLoaded(e)
        try MergePlan.refuseSelf(e, mergedID, survivorID)
        knownReferences = [:]
        return try MergePlan.transaction(of: self, dryRun: dryRun) { try mergeInside(e, mergedID, survivorID) }
    }

    func mergeInside(_ e: EntityDefinition, _ mergedID: Int64, _ survivorID: Int64) throws -> MergePlan {
        // A merge changes the survivor and deletes the other: the caller needs both rights
        // on two records they see (one they do not see "does not exist").
        _ = try policeWrite(.update, e, id: survivorID, values: [:])
        _ = try policeWrite(.delete, e, id: mergedID, values: [:])
        let (survivor, merged) = try access { db -> (Record?, Record?) in
            (try fetchRecord(e, id: survivorID, db), try fetchRecord(e, id: mergedID, db))
        }
        guard let survivor else { throw StoreError.notFound(entity: e.name, id: survivorID) }
        guard let merged else { throw StoreError.notFound(entity: e.name, id: mergedID) }
        var new = try MergePlan.survivorValues(e, survivor: survivor, merged: merged, mergedID: mergedID,
                                               rules: rules(for: .merge, e.name))
        let label = "merge \(e.name) \(mergedID) into \(survivorID)"
        let now = DateCodec.utcText(epochSeconds: clock.now())
        var moves: [(entity: String, field: String, count: Int)] = []
        for (other, field) in schema.references(to: e.name) {
            let ids = try access { db in
                try Int64.fetchAll(db, sql: "SELECT id FROM \(quoted(other.name)) WHERE \(quoted(field.name)) = ? ORDER BY id",
                                   arguments: [mergedID])
            }.filter { !(other.name == e.name && $0 == mergedID) }
            guard !ids.isEmpty else { continue }
            try requireOwnerLoaded(other)
            try access { db in
                for id in ids {
                    // The survivor pointing at the merged record would point at itself: cleared.
                    let target: Int64? = other.name == e.name && id == survivorID ? nil : survivorID
                    try db.execute(sql: "UPDATE \(quoted(other.name)) SET \(quoted(field.name)) = ?, updated = ? WHERE id = ?",
                                   arguments: [target, now, id])
                    try audit(db, action: "update", entity: other.name, id: id, field: field.name,
                              old: String(mergedID), new: target.map(String.init), via: label)
                    if other.name == e.name && id == survivorID { new[field.name] = .null }
                }
            }
            for id in ids {
                try noteDependents(.update, other, id: id, new: [field.name: .integer(survivorID)], old: [field.name: .integer(mergedID)])
            }
            moves.append((other.name, field.name, ids.count))
        }
        // The merged record goes first, so the survivor may take its unique values.
        try access { db in
            try audit(db, action: "merge", entity: e.name, id: mergedID, field: nil, old: nil,
                      new: "merged into \(e.name) \(survivorID)", via: label)
            try db.execute(sql: "DELETE FROM \(quoted(e.name)) WHERE id = ?", arguments: [mergedID])
            if !e.searchFields.isEmpty { try FindIndex.remove(e, id: mergedID, db) }
            let pairs = e.fields.compactMap { f in merged[f.name].isNull ? nil : (f.name, merged[f.name]) }
            try audit(db, action: "delete", entity: e.name, id: mergedID, field: nil, old: JSONText.object(pairs), new: nil, via: label)
        }
        try noteDependents(.delete, e, id: mergedID, new: nil, old: merged.values)
        knownReferences = [:]
        let changed = e.fields.filter { (new[$0.name] ?? .null) != survivor[$0.name] }
        let olderCreated = MergePlan.olderCreated(survivor: survivor, merged: merged)
        try access { db in
            if !changed.isEmpty {
                try writeChanges(e, id: survivorID, changed, old: survivor.values, new: new, via: { _ in label }, db)
            }
            if let olderCreated, case .datetime(let mine) = survivor["created"] {
                try db.execute(sql: "UPDATE \(quoted(e.name)) SET created = ? WHERE id = ?", arguments: [olderCreated, survivorID])
                try audit(db, action: "update", entity: e.name, id: survivorID, field: "created", old: mine, new: olderCreated, via: label)
            }
            let pairs = e.fields.compactMap { f in merged[f.name].isNull ? nil : (f.name, merged[f.name]) }
            try audit(db, action: "merge", entity: e.name, id: survivorID, field: nil, old: JSONText.object(pairs),
                      new: "\(e.name) \(mergedID) merged into this one", via: label)
        }
        if !changed.isEmpty { try noteDependents(.update, e, id: survivorID, new: new, old: survivor.values) }
        if let rules = rules(for: .merge, e.name), rules.hasAfterRules(.merge, e.name) {
            var event = WriteEvent(action: .merge, entity: e, id: survivorID, new: new, old: merged.values)
            event.mergedID = mergedID
            try rules.after(event)
        }
        return MergePlan(entity: e.name, survivor: survivorID, merged: mergedID, moves: moves,
                         filled: changed.map { ($0.name, new[$0.name] ?? .null) }, olderCreated: olderCreated)
    }
}
