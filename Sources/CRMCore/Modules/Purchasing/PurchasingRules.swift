/// The rules of purchasing.
///
/// - The supplier of an order is a customer of kind supplier.
/// - An order is for a sales contract or a deal; its deal and customer follow the contract
///   (or the deal) and are filled in.
/// - Its status moves forward only (draft → ordered → received → paid), each step dating
///   itself today when no date is given; an order is placed with at least one line.
/// - Lines are changed only while their order is a draft; a line's amount is quantity ×
///   unit price rounded to the cent, and the order's total is the sum of its lines.
public enum PurchasingRules {
    public static let all: [CoreRule] = [OrderRules(), LineRules()]

    static let states = ["draft", "ordered", "received", "paid"]

    static func integer(_ v: Value?) -> Int64? { if case .integer(let i)? = v { return i } else { return nil } }

    /// The sum of an order's lines, in cents.
    static func linesTotal(_ store: CRMStore, order: Int64) throws -> (count: Int, cents: Int64) {
        let rows = try store.select(sql: "SELECT amount FROM purchase_line WHERE purchase_order = ?", arguments: [.integer(order)]).rows
        return (rows.count, rows.reduce(0) { $0 + Money.cents($1[0]) })
    }

    struct OrderRules: CoreRule {
        var name: String { "purchase order" }
        var entity: String { "purchase_order" }
        var actions: Set<WriteAction> { [.create, .update] }

        func before(_ event: inout WriteEvent, _ store: CRMStore) throws {
            guard var new = event.new else { return }
            let old = event.old
            if let supplier = integer(new["supplier"]), supplier != integer(old?["supplier"]),
               let c = try store.record("customer", id: supplier), c["kind"] != .text("supplier") {
                throw CoreRuleRefusal("purchase_order", field: "supplier",
                                      "customer \(supplier) (\(c["name"].displayText)) is of kind \(c["kind"].displayText), not supplier "
                                      + "(update customer \(supplier) set kind=supplier)")
            }
            if let contractID = integer(new["contract"]) {
                if let contract = try store.record("sales_contract", id: contractID) {
                    if let deal = integer(new["deal"]), old == nil || integer(old?["deal"]) != deal, deal != integer(contract["deal"]) {
                        throw CoreRuleRefusal("purchase_order", field: "deal",
                                              "deal \(deal) is not contract \(contractID)'s deal (\(contract["deal"].displayText))")
                    }
                    new["deal"] = contract["deal"]
                    new["customer"] = contract["customer"]
                }
            } else if let dealID = integer(new["deal"]) {
                if let deal = try store.record("deal", id: dealID) { new["customer"] = deal["customer"] }
            } else {
                throw CoreRuleRefusal("purchase_order", field: "contract", "an order is for a sales contract or a deal: give contract= or deal=")
            }
            let from = old.map { states.firstIndex(of: $0["status"]?.displayText ?? "draft") ?? 0 } ?? 0
            let to = states.firstIndex(of: new["status"]?.displayText ?? "draft") ?? 0
            if to < from {
                throw CoreRuleRefusal("purchase_order", field: "status",
                                      "an order goes forward only (draft → ordered → received → paid); it is \(states[from])")
            }
            let id = event.id
            let lines = try id.map { try linesTotal(store, order: $0) } ?? (count: 0, cents: 0)
            if to >= 1, lines.count == 0 {
                throw CoreRuleRefusal("purchase_order", field: "status", "an order without lines is not placed; add purchase_line records first")
            }
            let today = Value.date(DateCodec.dateText(days: store.clock.today))
            for (k, field) in ["ordered", "received", "paid"].enumerated() where to >= k + 1 && (new[field] ?? .null).isNull {
                new[field] = today
            }
            new["total"] = Money.value(lines.cents)
            event.new = new
        }
    }

    struct LineRules: CoreRule {
        var name: String { "purchase lines" }
        var entity: String { "purchase_line" }
        var hasAfter: Bool { true }

        func before(_ event: inout WriteEvent, _ store: CRMStore) throws {
            for order in Set([integer(event.old?["purchase_order"]), integer(event.new?["purchase_order"])].compactMap { $0 }) {
                guard let o = try store.record("purchase_order", id: order) else { continue }
                guard o["status"] == .text("draft") else {
                    throw CoreRuleRefusal("purchase_line", field: "purchase_order",
                                          "purchase order \(order) is \(o["status"].displayText); lines change only while it is a draft")
                }
            }
            guard var new = event.new else { return }
            guard case .decimal(let q)? = new["quantity"], case .decimal(let p)? = new["unit_price"] else { return }
            let price = Money.cents(.decimal(p))
            let quantity = q.rescaled(to: 3)?.units ?? 0
            let (product, overflow) = quantity.multipliedReportingOverflow(by: price)
            guard !overflow, let amount = Fixed(units: product, scale: 5).rounded(toScale: 2), amount.isStorable else {
                throw CoreRuleRefusal("purchase_line", field: "quantity", "quantity × unit price is too large for an amount")
            }
            new["amount"] = .decimal(amount)
            event.new = new
        }

        func after(_ event: WriteEvent, _ store: CRMStore) throws {
            for order in Set([integer(event.old?["purchase_order"]), integer(event.new?["purchase_order"])].compactMap { $0 }) {
                guard try store.record("purchase_order", id: order) != nil else { continue }
                try store.update("purchase_order", id: order, values: ["total": Money.value(try linesTotal(store, order: order).cents)])
            }
        }
    }
}
