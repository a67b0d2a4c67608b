/// Where an industry's money comes from: one entity whose records are purchases, read as
/// (customer, day, amount). Plugins declare theirs with `crm.value_source{…}`; with none
/// declared, the core's won deals are the purchases.
public struct ValueSource: Sendable, Equatable {
    /// The entity holding the purchases (`deal`, `contract`, …).
    public var entity: String
    /// Its field referring to the customer who paid.
    public var customer: String
    /// Its money, decimal or integer field; negative amounts are refunds.
    public var amount: String
    /// Its date or datetime field: the day of the purchase.
    public var at: String
    /// An SQL condition on the entity's fields choosing which records count (`status <> 'void'`).
    public var condition: String?
    /// Who declared it: `core` or the plugin's name.
    public var owner: String
    /// `file:line` of the declaration (nil for the core's default).
    public var location: String?

    public init(entity: String, customer: String, amount: String, at: String, condition: String? = nil,
                owner: String, location: String? = nil) {
        self.entity = entity
        self.customer = customer
        self.amount = amount
        self.at = at
        self.condition = condition
        self.owner = owner
        self.location = location
    }

    /// The core's default: won deals, by the day they closed.
    public static let wonDeals = ValueSource(entity: "deal", customer: "customer", amount: "amount", at: "closed",
                                             condition: "stage = 'won'", owner: "core")

    /// One line naming the source, as analyses print it: `deal.amount on closed where stage = 'won' (core)`.
    public var description: String {
        "\(entity).\(amount) on \(at)" + (condition.map { " where \($0)" } ?? "") + " (\(owner))"
    }

    /// Checks the entity and fields against an entity definition: the customer field refers
    /// to customers, the amount is a number, the day a date or datetime. The message names
    /// the field and what it should be.
    public func check(_ e: EntityDefinition?) throws {
        guard let e else { throw ValueSourceError("crm.value_source: no entity named '\(entity)'") }
        func field(_ key: String, _ name: String) throws -> FieldDefinition {
            guard let f = e.field(name) else {
                let hint = NameSuggestion.hint(for: name, in: e.fields.map(\.name))
                throw ValueSourceError("crm.value_source: \(key) = \"\(name)\": entity \(entity) has no field '\(name)'\(hint)")
            }
            return f
        }
        let c = try field("customer", customer)
        guard case .reference("customer") = c.type else {
            throw ValueSourceError("crm.value_source: customer = \"\(customer)\": \(entity).\(customer) is \(c.type.name), not a reference to customer")
        }
        let a = try field("amount", amount)
        switch a.type {
        case .money, .decimal, .integer: break
        default: throw ValueSourceError("crm.value_source: amount = \"\(amount)\": \(entity).\(amount) is \(a.type.name), not money, decimal or integer")
        }
        let d = try field("at", at)
        switch d.type {
        case .date, .datetime: break
        default: throw ValueSourceError("crm.value_source: at = \"\(at)\": \(entity).\(at) is \(d.type.name), not a date or datetime")
        }
    }
}

/// A value source that does not fit the schema, in one line.
public struct ValueSourceError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
