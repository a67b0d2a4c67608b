/// A business rule of a core module (quotes, contracts, deal teams…), written in Swift.
///
/// Core rules run around every write of their entity inside the write's transaction,
/// before the plugins' rules, and also when plugins are off (`--no-plugins`): the
/// modules' invariants (a payment plan sums to the contract value, a sent quote is never
/// edited) hold in every mode. `before` may change `event.new` or throw `CoreRuleRefusal`
/// to refuse the record (an import then reports the row as a bad row); `after` runs once
/// the row is written and may write other records through `store`.
public protocol CoreRule {
    /// A short name for messages and the audit history (`quote lines`).
    var name: String { get }
    /// The entity the rule watches.
    var entity: String { get }
    /// The writes it watches.
    var actions: Set<WriteAction> { get }
    /// Whether `after` does anything (the store then keeps the record undoable).
    var hasAfter: Bool { get }
    func before(_ event: inout WriteEvent, _ store: CRMStore) throws
    func after(_ event: WriteEvent, _ store: CRMStore) throws
}

extension CoreRule {
    public var actions: Set<WriteAction> { WriteAction.writes }
    public var hasAfter: Bool { false }
    public func before(_ event: inout WriteEvent, _ store: CRMStore) throws {}
    public func after(_ event: WriteEvent, _ store: CRMStore) throws {}
}

/// A core rule's refusal of one record: names the entity, the field when one is to blame,
/// and why (`quote_line.discount: 120% is over 100%`).
public struct CoreRuleRefusal: WriteRefusal {
    public var entity: String
    public var field: String?
    public var reason: String

    public init(_ entity: String, field: String? = nil, _ reason: String) {
        self.entity = entity
        self.field = field
        self.reason = reason
    }

    public var refusesTheRecord: Bool { true }
    public var description: String { field.map { "\(entity).\($0): \(reason)" } ?? "\(entity): \(reason)" }
}

/// The core modules' rules. Each module adds its list here.
public enum CoreRules {
    public static let all: [CoreRule] = []
        + CollectionsRules.all + PurchasingRules.all + ServiceLevelRules.all
        + QuoteRules.all + DealTeamRules.all + CampaignRules.all
}
