/// The margin of a sales contract: its value less what was bought for it.
///
/// Purchases are the placed orders (ordered, received or paid; drafts are not yet
/// committed) for the contract, or for its deal without naming a contract.
public struct ContractMargin: Sendable, Equatable {
    public var contract: Int64
    public var value: Int64
    public var purchases: Int64
    public var orders: Int
    public var margin: Int64 { value - purchases }

    /// The margins of the contracts matching `status` (nil: every contract but cancelled ones), by id.
    public static func all(_ store: CRMStore, contract: Int64? = nil) throws -> [ContractMargin] {
        var sql = """
            SELECT c.id, c.value,
                   (SELECT count(*) FROM purchase_order p WHERE p.status <> 'draft'
                       AND (p.contract = c.id OR (p.contract IS NULL AND p.deal = c.deal))),
                   (SELECT coalesce(sum(p.total), 0) FROM purchase_order p WHERE p.status <> 'draft'
                       AND (p.contract = c.id OR (p.contract IS NULL AND p.deal = c.deal)))
            FROM sales_contract c
            """
        var arguments: [Value] = []
        if let contract {
            sql += " WHERE c.id = ?"
            arguments.append(.integer(contract))
        } else {
            sql += " WHERE c.status <> 'cancelled'"
        }
        return try store.select(sql: sql + " ORDER BY c.id", arguments: arguments).rows.compactMap { r in
            guard case .integer(let id) = r[0], case .integer(let n) = r[2] else { return nil }
            return ContractMargin(contract: id, value: Money.cents(r[1]), purchases: Money.cents(r[3]), orders: Int(n))
        }
    }
}
