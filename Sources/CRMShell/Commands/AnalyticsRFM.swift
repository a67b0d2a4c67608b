import CRMCore

/// `rfm`: recency, frequency, monetary value per customer (the `lifetimes` definitions),
/// quintile scores and segments.
enum AnalyticsRFM {
    static let verb = AnalysisVerb(
        name: "rfm",
        summary: "RFM scores and segments of customers: rfm [by=segment|customer] [segment=…] [to=…]",
        details: """
            Per customer, as the lifetimes Python package defines them (daily periods):
            frequency = repeat purchase days (purchase days after the first), recency = days
            from the first to the last purchase day, T = days from the first purchase day to
            the end of the period (to=, default today), monetary_value = mean net value of the
            repeat purchase days (0 without repeats). Scores 1–5 by quintile: R on days since
            the last purchase (5 = most recent), F on purchase days, M on net value; the
            segment follows R and F: champions, loyal, potential loyal, new, promising, need
            attention, about to sleep, at risk, cannot lose, hibernating, lost.

            by=segment (the default) counts customers per segment; by=customer lists them
            (limit=, 0 for all; segment= picks one segment).

            Example:
              rfm
              rfm by=customer segment="at risk" limit=20
              rfm by=customer limit=0 to rfm.csv
            """,
        parameters: [
            AnalysisParameter(name: "from", type: .date, defaultText: nil, label: "first purchase day read (default: all history)"),
            AnalysisParameter(name: "to", type: .date, defaultText: nil, label: "end of the observation period (default: today)"),
            AnalysisParameter(name: "by", type: .enumeration(["segment", "customer"]), defaultText: "segment",
                              label: "one row per segment, or per customer"),
            AnalysisParameter(name: "segment", type: .text, defaultText: nil, label: "only this segment (by=customer)"),
            AnalysisParameter(name: "limit", type: .integer, defaultText: "100", label: "customers listed (by=customer; 0 = all)"),
        ],
        body: run)

    static func run(_ c: AnalysisContext) throws -> Output {
        let purchases = try c.purchases()
        let end = c.day("to") ?? c.today
        if let s = c.text("segment"), !RFMAnalysis.segments.contains(s) {
            throw ScriptError("rfm: segment='\(s)' is not one of \(RFMAnalysis.segments.joined(separator: ", "))")
        }
        let result = try RFMAnalysis.run(purchases, period: Purchases.Period(from: c.day("from"), to: end), end: end)
        guard !result.rows.isEmpty else {
            return .message("rfm: no purchases \(result.period.description) (\(purchases.sourceLines)); nothing to score")
        }
        let header = Output.message("RFM \(result.period.description), observed to \(DateCodec.dateText(days: end)): "
                                    + "\(result.rows.count) customers with purchases; \(purchases.sourceLines)")
        if c.text("by") == "customer" { return .sections([header, try customers(result, c, purchases)]) }
        var stats = [String: (n: Int, silent: Int, days: Int, value: Int64)]()
        for r in result.rows {
            var s = stats[r.segment] ?? (0, 0, 0, 0)
            s.n += 1; s.silent += r.silentDays; s.days += r.frequency + 1; s.value += r.total
            stats[r.segment] = s
        }
        let all = Double(result.rows.count)
        let shown = RFMAnalysis.segments.filter { stats[$0] != nil }
        let rows: [[Value]] = shown.map { name in
            let s = stats[name]!
            return [.text(name), .integer(Int64(s.n)), AnalyticsFormat.percent(Double(s.n) * 100 / all),
                    AnalyticsFormat.decimal(Double(s.silent) / Double(s.n), scale: 1),
                    AnalyticsFormat.decimal(Double(s.days) / Double(s.n), scale: 1), purchases.money(s.value)]
        }
        return .sections([header,
                          .table(ResultTable(title: "RFM segments", columns: [
                              Column("segment"), Column("customers", numeric: true),
                              Column("share", label: "customers %", numeric: true),
                              Column("days_silent", label: "mean days since last", numeric: true),
                              Column("purchase_days", label: "mean purchase days", numeric: true),
                              Column("value", numeric: true)], rows: rows)),
                          .chart(Chart(kind: .bar, title: "Customers per segment", labels: shown,
                                       series: [Chart.Series(name: "customers", values: shown.map { Double(stats[$0]!.n) })]))])
    }

    static func customers(_ result: RFMAnalysis, _ c: AnalysisContext, _ purchases: Purchases) throws -> Output {
        var rows = result.rows
        if let s = c.text("segment") { rows = rows.filter { $0.segment == s } }
        rows.sort { $0.total != $1.total ? $0.total > $1.total : $0.customer < $1.customer }
        let limit = c.integer("limit") ?? 100
        if limit > 0, rows.count > limit { rows = Array(rows.prefix(limit)) }
        let names = try AnalyticsLookup.names(rows.map(\.customer), store: c.store)
        let scale = purchases.scale
        let table: [[Value]] = rows.map { r in
            [.integer(r.customer), names[r.customer].map(Value.text) ?? .null, .integer(Int64(r.frequency)),
             .integer(Int64(r.recency)), .integer(Int64(r.age)),
             AnalyticsFormat.decimal(Fixed.doubleValue(r.monetary, scale: scale), scale: 2),
             .integer(Int64(r.r)), .integer(Int64(r.f)), .integer(Int64(r.m)), .text("\(r.r)\(r.f)\(r.m)"), .text(r.segment)]
        }
        return .table(ResultTable(title: "RFM by customer", columns: [
            Column("customer", numeric: true), Column("name"), Column("frequency", numeric: true),
            Column("recency", numeric: true), Column("T", numeric: true), Column("monetary_value", numeric: true),
            Column("r", numeric: true), Column("f", numeric: true), Column("m", numeric: true), Column("rfm"), Column("segment")],
            rows: table))
    }
}

extension Fixed {
    /// A Double in units of `scale` as a plain number (cents to currency).
    static func doubleValue(_ units: Double, scale: Int) -> Double {
        var d = units
        for _ in 0..<scale { d /= 10 }
        return d
    }
}

/// Names and other customer fields for the few customers an analysis lists.
enum AnalyticsLookup {
    /// Each customer's name, by id.
    static func names(_ ids: [Int64], store: CRMStore) throws -> [Int64: String] {
        var out: [Int64: String] = [:]
        var start = 0
        while start < ids.count {
            let chunk = ids[start..<min(start + 500, ids.count)]
            let list = chunk.map(String.init).joined(separator: ",")
            let t = try store.select(sql: "SELECT id, name FROM customer WHERE id IN (\(list))", arguments: [])
            for row in t.rows { if case .integer(let id) = row[0] { out[id] = row[1].displayText } }
            start += 500
        }
        return out
    }
}
