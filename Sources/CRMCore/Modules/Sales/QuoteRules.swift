/// The rules of quotes (销售报价): lines priced exactly, totals kept by the store, a sent
/// quote never edited, and accepting one setting the deal's amount.
public enum QuoteRules {
    public static let all: [CoreRule] = [QuoteRule(), QuoteLineRule()]

    /// What a quote's status may become; every other change of a non-draft quote is refused.
    static let transitions: [String: Set<String>] = [
        "draft": ["sent", "superseded"],
        "sent": ["accepted", "rejected", "superseded"],
    ]

    static func neverEdited(_ id: Int64, _ status: String) -> String {
        "quote #\(id) is \(status): a sent quote is never edited; 'quote revise \(id)' makes a new version"
    }

    /// subtotal, tax and total of a draft from its lines and its rate.
    static func totals(_ store: CRMStore, quote id: Int64?, rate: Fixed) throws -> [String: Value] {
        let subtotal = try id.map { try store.salesSum("SELECT amount FROM quote_line WHERE quote = ?", [.integer($0)]) }
            ?? Fixed(units: 0, scale: 2)
        guard let tax = SalesMoney.percent(rate, of: subtotal),
              case let sum = subtotal.units.addingReportingOverflow(tax.units), !sum.overflow, sum.partialValue <= Fixed.maxUnits else {
            throw CoreRuleRefusal("quote", field: "total", "the total of quote #\(id ?? 0) is past 18 digits")
        }
        return ["subtotal": .decimal(subtotal), "tax": .decimal(tax), "total": .decimal(Fixed(units: sum.partialValue, scale: 2))]
    }
}

/// A quote's own fields: version, customer and rate on creation; totals while a draft;
/// only status moves after it is sent; acceptance passes the total to the deal.
struct QuoteRule: CoreRule {
    var name: String { "quote versions" }
    var entity: String { "quote" }
    var hasAfter: Bool { true }

    func before(_ event: inout WriteEvent, _ store: CRMStore) throws {
        switch event.action {
        case .create:
            guard var new = event.new, let deal = new["deal"]?.idValue else { return }
            let status = new["status"]?.textValue ?? "draft"
            guard status == "draft" else {
                throw CoreRuleRefusal("quote", field: "status", "a quote starts as a draft (got '\(status)'); send it with 'quote send N'")
            }
            new["customer"] = try store.record("deal", id: deal)?["customer"] ?? .null
            if new["version"]?.isNull ?? true {
                let last = try store.salesInteger("SELECT max(version) FROM quote WHERE deal = ?", [.integer(deal)]) ?? 0
                new["version"] = .integer(last + 1)
            }
            if new["tax_rate"]?.isNull ?? true { new["tax_rate"] = .decimal(try SalesSettings.taxRate(store)) }
            let rate = new["tax_rate"]?.fixedValue ?? Fixed(units: 0, scale: 2)
            for (k, v) in try QuoteRules.totals(store, quote: nil, rate: rate) { new[k] = v }
            event.new = new
        case .update:
            guard var new = event.new, let old = event.old, let id = event.id else { return }
            let was = old["status"]?.textValue ?? "draft"
            let now = new["status"]?.textValue ?? was
            if was != "draft" {
                // Only the status moves; the customer follows the deal's (`DealCustomerRule`).
                let dealCustomer = try new["deal"]?.idValue.flatMap { try store.record("deal", id: $0)?["customer"] }
                let changed = event.entity.fields.map(\.name).filter {
                    $0 != "status" && new[$0] != old[$0] && !($0 == "customer" && new[$0] == dealCustomer)
                }
                if let field = changed.first {
                    throw CoreRuleRefusal("quote", field: field, QuoteRules.neverEdited(id, was))
                }
            }
            if now != was, QuoteRules.transitions[was]?.contains(now) != true {
                let allowed = QuoteRules.transitions[was].map { $0.sorted().joined(separator: " or ") }
                throw CoreRuleRefusal("quote", field: "status",
                                      "quote #\(id) is \(was): it cannot become \(now)" + (allowed.map { " (only \($0))" } ?? " (it is final)"))
            }
            if was == "draft" {
                if new["deal"] != old["deal"] { throw CoreRuleRefusal("quote", field: "deal", "a quote stays with its deal; make a new quote") }
                let rate = new["tax_rate"]?.fixedValue ?? Fixed(units: 0, scale: 2)
                for (k, v) in try QuoteRules.totals(store, quote: id, rate: rate) { new[k] = v }
                event.new = new
            }
        case .merge:
            return
        case .delete:
            guard let old = event.old, let id = event.id else { return }
            let status = old["status"]?.textValue ?? "draft"
            guard status == "draft" else {
                throw CoreRuleRefusal("quote", "quote #\(id) is \(status): a sent quote is kept (only drafts are deleted)")
            }
            if let line = try store.salesInteger("SELECT id FROM quote_line WHERE quote = ? LIMIT 1", [.integer(id)]) {
                throw CoreRuleRefusal("quote", "quote #\(id) still has lines (quote_line #\(line)): delete them first")
            }
        }
    }

    func after(_ event: WriteEvent, _ store: CRMStore) throws {
        guard event.action == .update, let id = event.id, let new = event.new,
              new["status"] == .text("accepted"), event.old?["status"] != .text("accepted"),
              let deal = new["deal"]?.idValue else { return }
        _ = try store.update("deal", id: deal, values: ["amount": new["total"] ?? .null])
        let others = try store.select(sql: "SELECT id FROM quote WHERE deal = ? AND id <> ? AND status IN ('draft', 'sent') ORDER BY id",
                                      arguments: [.integer(deal), .integer(id)])
        for row in others.rows {
            if let other = row[0].idValue { _ = try store.update("quote", id: other, values: ["status": .text("superseded")]) }
        }
    }
}

/// A line: only on a draft, quantity ≥ 0, discount 0–100 %, the product's list price by
/// default, its amount exact; the quote's totals follow every change of its lines.
struct QuoteLineRule: CoreRule {
    var name: String { "quote lines" }
    var entity: String { "quote_line" }
    var hasAfter: Bool { true }

    func requireDraft(_ quote: Value?, _ store: CRMStore) throws {
        guard let id = quote?.idValue, let q = try store.record("quote", id: id) else { return }
        let status = q["status"].textValue ?? "draft"
        if status != "draft" { throw CoreRuleRefusal("quote_line", field: "quote", QuoteRules.neverEdited(id, status)) }
    }

    func before(_ event: inout WriteEvent, _ store: CRMStore) throws {
        try requireDraft(event.old?["quote"], store)
        guard var new = event.new else { return }
        if new["quote"] != event.old?["quote"] { try requireDraft(new["quote"], store) }
        let zero = Fixed(units: 0, scale: 2)
        let quantity = new["quantity"]?.fixedValue ?? Fixed(units: 1, scale: 0)
        if quantity < Fixed(units: 0, scale: 0) {
            throw CoreRuleRefusal("quote_line", field: "quantity", "\(quantity.trimmedText) is negative: a quantity is 0 or more")
        }
        let discount = new["discount"]?.fixedValue ?? zero
        if discount < zero { throw CoreRuleRefusal("quote_line", field: "discount", "\(discount.percentText) is negative: a discount is 0–100%") }
        if discount > Fixed(units: 100, scale: 0) {
            throw CoreRuleRefusal("quote_line", field: "discount", "\(discount.percentText) is over 100%")
        }
        if (new["unit_price"]?.isNull ?? true) || new["product"] != event.old?["product"] && new["unit_price"] == event.old?["unit_price"] {
            guard let pid = new["product"]?.idValue, let product = try store.record("product", id: pid) else { return }
            if event.action == .create, product["active"] == .bool(false) {
                throw CoreRuleRefusal("quote_line", field: "product", "product #\(pid) (\(product["code"].displayText)) is not active")
            }
            new["unit_price"] = product["list_price"]
        }
        let price = new["unit_price"]?.fixedValue ?? zero
        guard let amount = SalesMoney.lineAmount(quantity: quantity, unitPrice: price, discount: discount) else {
            throw CoreRuleRefusal("quote_line", field: "amount", "quantity × unit price is past 18 digits")
        }
        new["amount"] = .decimal(amount)
        event.new = new
    }

    func after(_ event: WriteEvent, _ store: CRMStore) throws {
        var quotes = Set<Int64>()
        if let q = event.old?["quote"]?.idValue { quotes.insert(q) }
        if let q = event.new?["quote"]?.idValue { quotes.insert(q) }
        for q in quotes.sorted() {
            guard let quote = try store.record("quote", id: q) else { continue }
            let totals = try QuoteRules.totals(store, quote: q, rate: quote["tax_rate"].fixedValue ?? Fixed(units: 0, scale: 2))
            _ = try store.update("quote", id: q, values: totals)
        }
    }
}
