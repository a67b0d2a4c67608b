import CRMCore

/// `show sales_contract N`: the contract, what is collected and owed, its margin, its
/// instalments with what each still owes, its receipts and purchase orders.
struct ContractPicture {
    let store: CRMStore

    func output(profile: RecordView, contract record: Record) throws -> Output {
        let id = record.id
        let today = store.clock.today
        let plan = try PaymentPlan.load(store, contract: id)
        let value = Money.cents(record["value"])
        let margin = try ContractMargin.all(store, contract: id).first
        let summary = RecordView(title: "Collections and margin", fields: [
            ("value", "Value", Money.value(value)),
            ("planned", "Payment plan", Money.value(plan.planned)),
            ("received", "Received", Money.value(plan.received)),
            ("owed", "Still owed", Money.value(value - plan.received)),
            ("collected", "Collected %", Money.percent(plan.received, of: value)),
            ("overdue", "Overdue", Money.value(plan.lines.filter { $0.due < today }.reduce(0) { $0 + $1.owed })),
            ("purchases", "Purchases", Money.value(margin?.purchases ?? 0)),
            ("margin", "Margin", Money.value(margin?.margin ?? value)),
            ("margin_share", "Margin %", Money.percent(margin?.margin ?? value, of: value)),
        ])
        let instalments = ResultTable(title: "Instalments (\(plan.lines.count))", columns: [
            Column("instalment", numeric: true), Column("due"), Column("amount", numeric: true), Column("paid", numeric: true),
            Column("owed", numeric: true), Column("days_overdue", label: "days overdue", numeric: true)],
            rows: plan.lines.map { l in
                [.integer(l.id), .date(DateCodec.dateText(days: l.due)), Money.value(l.amount), Money.value(l.paid), Money.value(l.owed),
                 l.owed > 0 && today > l.due ? .integer(Int64(today - l.due)) : .null]
            })
        var parts: [Output] = [.record(profile), .record(summary), .table(instalments)]
        let mine = Filter.compare(FieldRef("contract"), .eq, Literal(String(id)))
        var receipts = try store.list(Query(entity: "receipt", filter: mine, order: [SortKey(FieldRef("received"))],
                                            fields: ["id", "received", "amount", "instalment", "method", "reference"]))
        receipts.title = "Receipts (\(receipts.rows.count))"
        parts.append(.table(receipts))
        if store.schema.entity(named: "purchase_order") != nil {
            var orders = try store.list(Query(entity: "purchase_order", filter: mine, order: [SortKey(FieldRef("id"))],
                                              fields: ["id", "title", "supplier", "status", "total", "ordered"]))
            orders = try ReferenceTitles(store: store).resolve(orders, entity: "purchase_order")
            orders.title = "Purchase orders (\(orders.rows.count))"
            parts.append(.table(orders))
        }
        return .sections(parts)
    }
}
