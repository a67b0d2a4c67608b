import CRMCore

extension PostgresStore: MergingStore {
    /// Merges record `mergedID` into `survivorID` in one transaction, as the SQLite store
    /// does (`SQLiteStore.merge`): every record of any entity that refers to the merged one
    /// moves to the survivor (each move audited, not an update event), the survivor's empty
    /// fields are filled, the older `created` is kept, both histories record the merge and
    /// the merged record is deleted. Both rows are locked first, so a client editing either
    /// waits for the merge. With `dryRun` everything runs, rules included, and is rolled back.
    public func merge(_ entity: String, _ mergedID: Int64, into survivorID: Int64, dryRun: Bool) throws -> MergePlan {
        let e = try schema.require(entity)
        try prepareWrite(.merge, e)
        try MergePlan.refuseSelf(e, mergedID, survivorID)
        _ = try policeWrite(.update, e, id: survivorID, values: [:])
        _ = try policeWrite(.delete, e, id: mergedID, values: [:])
        return try MergePlan.transaction(of: self, dryRun: dryRun) { try mergeInside(e, mergedID, survivorID) }
    }

    func mergeInside(_ e: EntityDefinition, _ mergedID: Int64, _ survivorID: Int64) throws -> MergePlan {
        // Locked in id order, so two merges of the same pair cannot deadlock.
        var locked: [Int64: Record] = [:]
        for id in [mergedID, survivorID].sorted() { locked[id] = try fetchRecord(e, id: id, lock: true) }
        guard let survivor = locked[survivorID] else { throw StoreError.notFound(entity: e.name, id: survivorID) }
        guard let merged = locked[mergedID] else { throw StoreError.notFound(entity: e.name, id: mergedID) }
        let rules = rules(for: .merge, e.name)
        var new = try MergePlan.survivorValues(e, survivor: survivor, merged: merged, mergedID: mergedID, rules: rules)
        let label = "merge \(e.name) \(mergedID) into \(survivorID)"
        let now = DateCodec.utcText(epochSeconds: clock.now())
        var moves: [(entity: String, field: String, count: Int)] = []
        for (other, field) in schema.references(to: e.name) {
            let ids = try run("SELECT id FROM \(PostgresDDL.quote(other.name)) WHERE \(PostgresDDL.quote(field.name)) = ? ORDER BY id FOR UPDATE",
                              [String(mergedID)]).rows.compactMap { $0[0].flatMap { Int64($0) } }
                .filter { !(other.name == e.name && $0 == mergedID) }
            guard !ids.isEmpty else { continue }
            try requireOwnerLoaded(other)
            for id in ids {
                // The survivor pointing at the merged record would point at itself: cleared.
                let target: Int64? = other.name == e.name && id == survivorID ? nil : survivorID
                try writing(other) {
                    try run("UPDATE \(PostgresDDL.quote(other.name)) SET \(PostgresDDL.quote(field.name)) = ?, updated = ? WHERE id = ?",
                            [target.map { String($0) }, now, String(id)])
                }
                try audit(action: "update", entity: other.name, id: id, field: field.name,
                          old: String(mergedID), new: target.map { String($0) }, via: label)
                if other.name == e.name && id == survivorID { new[field.name] = .null }
            }
            for id in ids {
                try noteDependents(.update, other, id: id, new: [field.name: .integer(survivorID)], old: [field.name: .integer(mergedID)])
            }
            moves.append((other.name, field.name, ids.count))
        }
        // The merged record goes first, so the survivor may take its unique values; its
        // find grams go with the row (ON DELETE CASCADE).
        let mergedPairs = e.fields.compactMap { f in merged[f.name].isNull ? nil : (f.name, merged[f.name]) }
        try audit(action: "merge", entity: e.name, id: mergedID, field: nil, old: nil,
                  new: "merged into \(e.name) \(survivorID)", via: label)
        try writing(e) { try run("DELETE FROM \(PostgresDDL.quote(e.name)) WHERE id = ?", [String(mergedID)]) }
        try audit(action: "delete", entity: e.name, id: mergedID, field: nil, old: JSONText.object(mergedPairs), new: nil, via: label)
        try noteDependents(.delete, e, id: mergedID, new: nil, old: merged.values)

        let changed = e.fields.filter { (new[$0.name] ?? .null) != survivor[$0.name] }
        let olderCreated = MergePlan.olderCreated(survivor: survivor, merged: merged)
        if !changed.isEmpty {
            try check(e, new, changed: Set(changed.map(\.name)), id: survivorID)
            try writeFields(e, id: survivorID, changed, new)
            for f in changed {
                try audit(action: "update", entity: e.name, id: survivorID, field: f.name,
                          old: auditText(survivor[f.name]), new: auditText(new[f.name] ?? .null), via: label)
            }
        }
        if let olderCreated, case .datetime(let mine) = survivor["created"] {
            try run("UPDATE \(PostgresDDL.quote(e.name)) SET created = ? WHERE id = ?", [olderCreated, String(survivorID)])
            try audit(action: "update", entity: e.name, id: survivorID, field: "created", old: mine, new: olderCreated, via: label)
        }
        try audit(action: "merge", entity: e.name, id: survivorID, field: nil, old: JSONText.object(mergedPairs),
                  new: "\(e.name) \(mergedID) merged into this one", via: label)
        if !changed.isEmpty { try noteDependents(.update, e, id: survivorID, new: new, old: survivor.values) }
        if let rules, rules.hasAfterRules(.merge, e.name) {
            var event = WriteEvent(action: .merge, entity: e, id: survivorID, new: new, old: merged.values)
            event.mergedID = mergedID
            try rules.after(event)
        }
        return MergePlan(entity: e.name, survivor: survivorID, merged: mergedID, moves: moves,
                         filled: changed.map { ($0.name, new[$0.name] ?? .null) }, olderCreated: olderCreated)
    }
}
