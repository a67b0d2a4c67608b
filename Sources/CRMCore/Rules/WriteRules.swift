/// What a write does to a record.
///
/// `merge` is `merge customer 42 into 17`: the event's `id` is the survivor, `new` the
/// survivor as it will be (its empty fields filled from the merged one), `old` the merged
/// record (whose id is `mergedID`). A rule may refuse it or change `new`.
public enum WriteAction: String, Sendable, CaseIterable {
    case create, update, delete, merge

    /// The actions `write` means in a rule declaration: the three record writes (not merge).
    public static let writes: Set<WriteAction> = [.create, .update, .delete]
}

/// One write as the rules see it: the entity, the record's id (nil before a create),
/// the new values (the whole record for create and update, nil for delete) and the old
/// values (nil for create).
public struct WriteEvent {
    public var action: WriteAction
    public var entity: EntityDefinition
    public var id: Int64?
    public var new: [String: Value]?
    public var old: [String: Value]?
    /// The fields before-rules changed on an update, with the rule that changed them last
    /// (`membership rule 'discount by level'`): the audit names it for those fields.
    public var setBy: [String: String] = [:]
    /// For a merge, the id of the record merged into `id` (deleted once the merge is done).
    public var mergedID: Int64?

    public init(action: WriteAction, entity: EntityDefinition, id: Int64?, new: [String: Value]?, old: [String: Value]?) {
        self.action = action
        self.entity = entity
        self.id = id
        self.new = new
        self.old = old
    }
}

/// An error a rule raises about one record. When `refusesTheRecord` (the rule said no to
/// this record, as opposed to failing), an import treats the row as a bad row, like a
/// field error: reported with its line and copied to the reject file.
public protocol WriteRefusal: Error, CustomStringConvertible {
    var refusesTheRecord: Bool { get }
}

/// Business rules that run around every write, inside the write's transaction.
///
/// The store calls `before` with the record about to be written; it may change
/// `event.new` or throw to refuse, and then nothing of the command is kept. `after`
/// runs once the row is written (it may write other records, or throw to undo it all).
/// The plugin runtime implements this; the store knows nothing of Lua.
public protocol WriteRules: AnyObject {
    /// True when any rule watches this action on this entity (the store skips the
    /// calls otherwise, so imports without rules pay nothing).
    func watches(_ action: WriteAction, _ entity: String) -> Bool
    func before(_ event: inout WriteEvent) throws
    func after(_ event: WriteEvent) throws
    /// True when after-rules watch this action (the store must then be able to undo the
    /// record itself if one refuses).
    func hasAfterRules(_ action: WriteAction, _ entity: String) -> Bool
    /// Why the rules of this plugin are not running (not enabled, failed to load), or nil
    /// when they are: the store keeps the plugin's entities read-only meanwhile.
    func inactiveReason(plugin: String) -> String?
    /// The computed fields of the loaded plugins (nil: none).
    var computedFields: ComputeGraph? { get }
    /// The value of a computed field's function for this record (an error refuses the write).
    func compute(_ field: ComputedField, record: [String: Value], id: Int64?, entity: EntityDefinition) throws -> Value
}

extension WriteRules {
    public var computedFields: ComputeGraph? { nil }
    public func compute(_ field: ComputedField, record: [String: Value], id: Int64?, entity: EntityDefinition) throws -> Value {
        .null
    }
}
