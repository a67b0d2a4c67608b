import CRMCore

/// `lifecycle`: stages from purchase history, and `--apply` to store them in customer.stage.
enum AnalyticsLifecycle {
    static let verb = AnalysisVerb(
        name: "stages", aliases: ["lifecycle"],
        summary: "lifecycle stages of customers from their purchases: stages [to=…] [--apply] (also: lifecycle)",
        details: """
            Also typed as lifecycle (stages, so that li<Tab> still completes list).

            Each customer's stage (003 篇二) from their own purchase history up to to= (today):
            no purchase = potential; one purchase day = development (termination after
            analytics.lifecycle_single_days silent); two or more = growth while under
            analytics.lifecycle_mature_purchases purchase days or when the latest interval is
            under analytics.lifecycle_growth_ratio × the earlier mean (buying more often),
            else maturity; termination when silent for analytics.lifecycle_silence × their own
            mean interval. --apply (or apply=yes) writes stage on every customer, audited.

            Example:
              stages
              lifecycle --apply
              list customer where stage = termination and value_class = A
            """,
        parameters: [AnalysisParameter(name: "to", type: .date, defaultText: nil, label: "the day the stages are seen on (default: today)")],
        writes: true, body: run)

    static func run(_ c: AnalysisContext) throws -> Output {
        let purchases = try c.purchases()
        let end = c.day("to") ?? c.today
        let customers = try c.store.count("customer", where: nil)
        let result = try LifecycleAnalysis.run(purchases, end: end, customers: customers, settings: try c.settings)
        guard customers > 0 else { return .message("lifecycle: there are no customers") }
        var parts: [Output] = [.message("Lifecycle on \(DateCodec.dateText(days: end)): \(customers) customers, "
                                        + "\(customers - result.counts[0]) with purchases; \(purchases.sourceLines)")]
        let rows: [[Value]] = LifecycleAnalysis.stages.enumerated().map { i, s in
            [.text(s), .integer(Int64(result.counts[i])), AnalyticsFormat.percent(Double(result.counts[i]) * 100 / Double(customers))]
        }
        parts.append(.table(ResultTable(title: "Lifecycle stages", columns: [
            Column("stage"), Column("customers", numeric: true), Column("share", label: "customers %", numeric: true)], rows: rows)))
        parts.append(.chart(Chart(kind: .bar, title: "Customers per stage", labels: LifecycleAnalysis.stages,
                                  series: [Chart.Series(name: "customers", values: result.counts.map(Double.init))])))
        if c.apply {
            let changed = try c.modules().writeChoice("customer", field: "stage") { result.stage(of: $0) }
            parts.append(.message("stage written: \(changed) customer\(changed == 1 ? "" : "s") changed"))
        }
        return .sections(parts)
    }
}

/// `churn-risk`: the retention visit list.
enum AnalyticsChurn {
    static let verb = AnalysisVerb(
        name: "churn-risk",
        summary: "customers slipping away against their own history: churn-risk [owner=…] [limit=…]",
        details: """
            Customers whose recency or frequency has dropped against their own history (not
            against everyone): silent for more than analytics.churn_recency × their own mean
            interval ("silent"), or buying on fewer days in the last analytics.churn_window_days
            than analytics.churn_drop × their own earlier rate predicts ("fewer"). Listed with
            their owner, value class and last interaction, largest value first: the retention
            visit list.

            Example:
              churn-risk
              churn-risk owner=李娜 limit=10
            """,
        parameters: [
            AnalysisParameter(name: "to", type: .date, defaultText: nil, label: "the day risk is judged on (default: today)"),
            AnalysisParameter(name: "owner", type: .text, defaultText: nil, label: "only customers this user owns (name or id)"),
            AnalysisParameter(name: "limit", type: .integer, defaultText: "50", label: "customers listed (0 = all)"),
        ],
        body: run)

    /// The at-risk customers, with who owns them, as table rows (for `churn-risk` and `agenda`).
    static func table(_ c: AnalysisContext, owner: Int64?, limit: Int, end: Int) throws -> (rows: ResultTable, found: Int, purchases: Purchases) {
        let purchases = try c.purchases()
        var entries = try ChurnRisk.run(purchases, end: end, settings: try c.settings)
        var info: [Int64: [Value]] = [:]
        if let owner {
            var kept: [ChurnRisk.Entry] = []
            var start = 0
            while start < entries.count && (limit == 0 || kept.count < limit) {
                let chunk = Array(entries[start..<min(start + 500, entries.count)])
                let found = try details(chunk.map(\.customer), store: c.store)
                for e in chunk where found[e.customer]?[4] == .integer(owner) {
                    kept.append(e)
                    info[e.customer] = found[e.customer]
                }
                start += 500
            }
            entries = kept
        }
        let total = entries.count
        if limit > 0, entries.count > limit { entries = Array(entries.prefix(limit)) }
        if owner == nil { info = try details(entries.map(\.customer), store: c.store) }
        let rows: [[Value]] = entries.map { e in
            let d = info[e.customer] ?? [.null, .null, .null, .null]
            return [.integer(e.customer), d[0], d[1], d[2], purchases.money(e.total), .date(DateCodec.dateText(days: e.lastPurchase)),
                    .integer(Int64(e.silentDays)), AnalyticsFormat.decimal(e.meanInterval, scale: 0), .integer(Int64(e.recent)),
                    e.expected.map { AnalyticsFormat.decimal($0, scale: 1) } ?? .null, .text(e.reasons.joined(separator: "+")), d[3]]
        }
        let table = ResultTable(title: "Churn risk", columns: [
            Column("customer", numeric: true), Column("name"), Column("owner"), Column("value_class", label: "class"),
            Column("value", numeric: true), Column("last_purchase", label: "last purchase"),
            Column("days_silent", label: "days silent", numeric: true), Column("usual_interval", label: "usual interval", numeric: true),
            Column("recent", label: "recent days", numeric: true), Column("expected", numeric: true), Column("why"),
            Column("last_interaction", label: "last interaction")], rows: rows)
        return (table.self, total, purchases)
    }

    /// name, owner's name, value class, last interaction, owner id, per customer.
    static func details(_ ids: [Int64], store: CRMStore) throws -> [Int64: [Value]] {
        var out: [Int64: [Value]] = [:]
        var start = 0
        while start < ids.count {
            let list = ids[start..<min(start + 500, ids.count)].map(String.init).joined(separator: ",")
            let t = try store.select(sql: """
                SELECT c.id, c.name, u.name, c.value_class,
                       (SELECT max(i."at") FROM interaction i WHERE i.customer = c.id), c.owner
                FROM customer c LEFT JOIN "user" u ON u.id = c.owner WHERE c.id IN (\(list))
                """, arguments: [])
            for r in t.rows {
                guard case .integer(let id) = r[0] else { continue }
                let last: Value = r[4].isNull ? .null : .datetime(r[4].displayText)
                out[id] = [r[1], r[2], r[3], last, r[5]]
            }
            start += 500
        }
        return out
    }

    static func run(_ c: AnalysisContext) throws -> Output {
        let end = c.day("to") ?? c.today
        let owner = try c.user("owner")
        let (table, found, purchases) = try table(c, owner: owner, limit: c.integer("limit") ?? 50, end: end)
        guard found > 0 else {
            return .message("churn-risk on \(DateCodec.dateText(days: end)): no customer is slipping against their own history"
                            + (owner != nil ? " among \(c.text("owner") ?? "")'s customers" : "") + " (\(purchases.sourceLines))")
        }
        return .sections([.message("Churn risk on \(DateCodec.dateText(days: end)): \(found) customer\(found == 1 ? "" : "s")"
                                   + (table.rows.count < found ? ", the \(table.rows.count) of most value shown" : "")
                                   + "; \(purchases.sourceLines)"), .table(table)])
    }
}
