/// What `merge customer 42 into 17` does (or would do): the records that move, the
/// survivor's empty fields it fills, and whether the older registration is kept.
public struct MergePlan: Sendable {
    public var entity: String
    public var survivor: Int64
    public var merged: Int64
    /// Records referring to the merged record, per entity and field, that move to the survivor.
    public var moves: [(entity: String, field: String, count: Int)]
    /// The survivor's fields filled (from the merged record, or by a rule).
    public var filled: [(field: String, value: Value)]
    /// The merged record's `created`, kept when it is the older registration.
    public var olderCreated: String?

    public init(entity: String, survivor: Int64, merged: Int64, moves: [(entity: String, field: String, count: Int)],
                filled: [(field: String, value: Value)], olderCreated: String?) {
        self.entity = entity
        self.survivor = survivor
        self.merged = merged
        self.moves = moves
        self.filled = filled
        self.olderCreated = olderCreated
    }

    /// `17 王芳 ← 42 王芳: 3 interaction, 1 deal moved; phone, email filled`.
    public var summary: String {
        let moved = moves.isEmpty ? "nothing to move" : moves.map { "\($0.count) \($0.entity)" + ($0.field == entity ? "" : ".\($0.field)") }
            .joined(separator: ", ") + " moved"
        let fill = filled.isEmpty ? "" : "; filled " + filled.map(\.field).joined(separator: ", ")
        let older = olderCreated.map { "; keeps the older registration (created \(DateCodec.localDisplay(utc: $0)))" } ?? ""
        return moved + fill + older
    }

    /// The survivor as the merge leaves it: its empty fields (computed ones aside) filled
    /// from the merged record, then what the entity's `merge` rules change; `created` and
    /// `updated` stay the survivor's. Both stores decide it here, before they write.
    public static func survivorValues(_ e: EntityDefinition, survivor: Record, merged: Record, mergedID: Int64,
                                      rules: WriteRules?) throws -> [String: Value] {
        var new = survivor.values
        for f in e.fields where f.computed == nil && (new[f.name] ?? .null).isNull && !(merged[f.name]).isNull {
            new[f.name] = merged[f.name]
        }
        guard let rules else { return new }
        var event = WriteEvent(action: .merge, entity: e, id: survivor.id, new: new, old: merged.values)
        event.mergedID = mergedID
        try rules.before(&event)
        for f in e.fields { new[f.name] = event.new?[f.name] ?? .null }
        new["created"] = survivor["created"]
        new["updated"] = survivor["updated"]
        return new
    }

    /// The merged record's `created` when it registered before the survivor (first-visit
    /// ownership goes with the older registration), else nil.
    public static func olderCreated(survivor: Record, merged: Record) -> String? {
        if case .datetime(let mine) = survivor["created"], case .datetime(let theirs) = merged["created"], theirs < mine {
            return theirs
        }
        return nil
    }

    /// Refuses merging a record into itself.
    public static func refuseSelf(_ e: EntityDefinition, _ mergedID: Int64, _ survivorID: Int64) throws {
        guard mergedID != survivorID else {
            throw MergeError(message: "merge \(e.name) \(mergedID) into \(survivorID): a record cannot be merged into itself")
        }
    }
}

/// Why a merge cannot start: the same record twice, or a record that does not exist.
public struct MergeError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

/// A dry run's way out of the merge transaction, carrying the plan.
private struct MergeDryRun: Error { var plan: MergePlan }

extension MergePlan {
    /// Runs a store's merge (`body`) as one transaction of `store`; with `dryRun` it runs
    /// to the end, rules included, is rolled back, and its plan says what would happen.
    public static func transaction(of store: CRMStore, dryRun: Bool, _ body: () throws -> MergePlan) throws -> MergePlan {
        do {
            return try store.atomically {
                let plan = try body()
                if dryRun { throw MergeDryRun(plan: plan) }
                return plan
            }
        } catch let d as MergeDryRun {
            return d.plan
        }
    }
}

/// A store that merges duplicate records (`merge customer 42 into 17`): SQLite and PostgreSQL.
public protocol MergingStore: CRMStore {
    /// Merges record `mergedID` into `survivorID` in one transaction (see `SQLiteStore.merge`);
    /// with `dryRun` everything runs, rules included, and is rolled back.
    func merge(_ entity: String, _ mergedID: Int64, into survivorID: Int64, dryRun: Bool) throws -> MergePlan
}
