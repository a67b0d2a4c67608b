import CRMCore

/// `margin`: each sales contract's value less its purchases.
enum MarginReport {
    static let verb = AnalysisVerb(
        name: "margin",
        summary: "contract margins: value − purchases, per contract: margin [owner=USER]",
        details: """
            For every sales contract not cancelled: its value, its purchases (the placed
            purchase orders, ordered, received or paid, for the contract or for its deal
            without naming a contract; drafts are not counted), the margin (value −
            purchases) and the margin as a share of the value. The last row adds them up.
            show sales_contract N shows the same for one contract.

            Example:
              margin
              margin owner=李娜
            """,
        parameters: [AnalysisParameter(name: "owner", type: .text, defaultText: nil, label: "only this owner's contracts (a user name or id)")],
        body: run)

    static func run(_ c: AnalysisContext) throws -> Output {
        let owner = try c.user("owner")
        var rows: [[Value]] = []
        var value: Int64 = 0, purchases: Int64 = 0
        let contracts = try c.store.select(sql: "SELECT id, title, customer, owner, status FROM sales_contract ORDER BY id", arguments: [])
        var info: [Int64: [Value]] = [:]
        for r in contracts.rows { if case .integer(let id) = r[0] { info[id] = r } }
        let customers = try RecordTitles.of("customer", info.values.compactMap { if case .integer(let i) = $0[2] { return i } else { return nil } },
                                            store: c.store)
        for m in try ContractMargin.all(c.store) {
            guard let r = info[m.contract] else { continue }
            if let owner, r[3] != .integer(owner) { continue }
            let customer: Value = { if case .integer(let i) = r[2] { return .text("\(i) \(customers[i] ?? "")") } else { return .null } }()
            rows.append([.integer(m.contract), r[1], customer, r[4], Money.value(m.value), .integer(Int64(m.orders)),
                         Money.value(m.purchases), Money.value(m.margin), Money.percent(m.margin, of: m.value)])
            value += m.value
            purchases += m.purchases
        }
        guard !rows.isEmpty else { return .message("margin: no sales contract" + (owner == nil ? "" : " of that owner")) }
        rows.append([.null, .text("total"), .null, .null, Money.value(value), .null, Money.value(purchases),
                     Money.value(value - purchases), Money.percent(value - purchases, of: value)])
        return .table(ResultTable(title: "Contract margins", columns: [
            Column("contract", numeric: true), Column("title"), Column("customer"), Column("status"), Column("value", numeric: true),
            Column("orders", numeric: true), Column("purchases", numeric: true), Column("margin", numeric: true),
            Column("margin_share", label: "margin %", numeric: true)], rows: rows))
    }
}
