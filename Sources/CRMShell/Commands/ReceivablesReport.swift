import CRMCore

/// `receivables`: what customers still owe on signed contracts, in ageing buckets, per
/// owner and per customer.
enum ReceivablesReport {
    static let verb = AnalysisVerb(
        name: "receivables",
        summary: "receivables ageing of signed contracts per owner and customer: receivables [on=DATE]",
        details: """
            Every instalment of a signed sales contract still owed (its amount less the
            receipts applied to it: the receipts naming it, then those naming no instalment,
            oldest due first), in a bucket by its due date against the day (on=, default
            today): not yet due (due that day or later), 1–30 days overdue (the 30th day
            included), 31–60, 61–90, over 90. Totals per owner (the contract's owner) and per
            customer, exact to the cent; receipts after that day are not counted.

            Example:
              receivables
              receivables on=2026-12-31
              receivables to receivables.xlsx
            """,
        parameters: [AnalysisParameter(name: "on", type: .date, defaultText: nil, label: "the day ageing is measured on (default: today)")],
        body: run)

    static func run(_ c: AnalysisContext) throws -> Output {
        let day = c.day("on") ?? c.today
        let items = try ReceivablesAgeing.items(c.store, on: day)
        let dayText = DateCodec.dateText(days: day)
        guard !items.isEmpty else { return .message("receivables on \(dayText): nothing is owed on signed contracts") }
        let columns = ReceivablesAgeing.buckets.map { Column($0.name, label: $0.label, numeric: true) } + [Column("total", numeric: true)]
        func money(_ cents: [Int64]) -> [Value] { cents.map(Money.value) }
        let total = ReceivablesAgeing.totals(items) { _ in 0 }[0]!

        let owners = ReceivablesAgeing.totals(items) { $0.owner ?? 0 }
        let ownerNames = try RecordTitles.of("user", Array(owners.keys), store: c.store)
        let ownerRows = owners.sorted { ($0.value.last!, $1.key) > ($1.value.last!, $0.key) }.map { key, cents in
            [key == 0 ? .null : .integer(key), .text(ownerNames[key] ?? "(no owner)")] + money(cents)
        }
        let customers = ReceivablesAgeing.totals(items) { $0.customer }
        let customerNames = try RecordTitles.of("customer", Array(customers.keys), store: c.store)
        let customerRows = customers.sorted { ($0.value.last!, $1.key) > ($1.value.last!, $0.key) }.map { key, cents in
            [.integer(key), .text(customerNames[key] ?? "")] + money(cents)
        }
        let contracts = Set(items.map(\.contract)).count
        return .sections([
            .message("Receivables on \(dayText): \(Money.text(total.last!)) owed on \(contracts) signed contract\(contracts == 1 ? "" : "s"), "
                     + "\(items.count) instalment\(items.count == 1 ? "" : "s")"),
            .table(ResultTable(title: "By owner", columns: [Column("owner", numeric: true), Column("name")] + columns,
                               rows: ownerRows + [[.null, .text("total")] + money(total)])),
            .table(ResultTable(title: "By customer", columns: [Column("customer", numeric: true), Column("name")] + columns,
                               rows: customerRows + [[.null, .text("total")] + money(total)])),
        ])
    }
}
