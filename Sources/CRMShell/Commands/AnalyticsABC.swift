import CRMCore

/// `abc`: Pareto value classes, and `--apply` to store them in customer.value_class.
enum AnalyticsABC {
    static let verb = AnalysisVerb(
        name: "abc",
        summary: "ABC value classes (Pareto) of customers by value: abc [from=…] [to=…] [--apply]",
        details: """
            Ranks customers by net value over the period (purchases read through the value
            sources: won deals, or what the plugins declare; refunds are netted) and splits
            them: A = the customers making the first analytics.abc_a % of value (80), B = up
            to analytics.abc_b % (95), C = the rest and everyone without purchases. Shows
            count and value share per class and the Pareto curve (cumulative value share
            against cumulative customer share). --apply (or apply=yes) writes value_class on
            every customer, audited like any change, so `list customer where value_class = A`
            works.

            Example:
              abc
              abc from=-365d --apply
              abc to abc.html
            """,
        parameters: [
            AnalysisParameter(name: "from", type: .date, defaultText: nil, label: "first day of the period (default: all history)"),
            AnalysisParameter(name: "to", type: .date, defaultText: nil, label: "last day of the period (default: today)"),
        ],
        writes: true, body: run)

    static func run(_ c: AnalysisContext) throws -> Output {
        let purchases = try c.purchases()
        let settings = try c.settings
        let result = try ABCAnalysis.run(purchases, period: c.period, settings: settings)
        guard result.total > 0 else {
            return .message("abc: no purchases \(c.period.description) (\(purchases.sourceLines)); nothing to classify"
                            + (c.apply ? ", value_class left as it was" : ""))
        }
        var parts: [Output] = [.message("ABC \(c.period.description): \(result.customers) customers with purchases, net value "
                                        + "\(purchases.money(result.total).displayText); \(purchases.sourceLines)")]
        let all = Double(result.customers)
        let rows: [[Value]] = result.classes.map { k in
            [.text(k.name), .integer(Int64(k.customers)), AnalyticsFormat.percent(Double(k.customers) * 100 / all),
             purchases.money(k.value), AnalyticsFormat.percent(Double(max(k.value, 0)) * 100 / Double(result.total))]
        }
        parts.append(.table(ResultTable(title: "Value classes (A < \(AnalyticsFormat.number(settings.abcA))%, B < \(AnalyticsFormat.number(settings.abcB))% of value)",
                                        columns: [Column("class"), Column("customers", numeric: true),
                                                  Column("customer_share", label: "customers %", numeric: true),
                                                  Column("value", numeric: true), Column("value_share", label: "value %", numeric: true)],
                                        rows: rows)))
        parts.append(.chart(Chart(kind: .line, title: "Pareto: cumulative value % by cumulative customers %",
                                  labels: result.pareto.map { AnalyticsFormat.number($0.customerShare) + "%" },
                                  series: [Chart.Series(name: "value %", values: result.pareto.map(\.valueShare)),
                                           Chart.Series(name: "even", values: result.pareto.map(\.customerShare))])))
        if c.apply {
            let store = try c.modules()
            let changed = try store.writeChoice("customer", field: "value_class") { result.valueClass(of: $0) }
            parts.append(.message("value_class written: \(changed) customer\(changed == 1 ? "" : "s") changed"))
        }
        return .sections(parts)
    }
}

extension AnalysisContext {
    /// The store as the analyses stream and write it (SQLite or PostgreSQL).
    func modules() throws -> ModuleStore {
        guard let s = store as? ModuleStore else { throw ScriptError("analytics needs a SQLite or PostgreSQL database") }
        return s
    }
}

/// How analyses show numbers: shares with one decimal, counts as integers.
enum AnalyticsFormat {
    static func percent(_ share: Double) -> Value { decimal(share, scale: 1) }

    static func decimal(_ d: Double, scale: Int) -> Value {
        guard d.isFinite else { return .null }
        var factor = 1.0
        for _ in 0..<scale { factor *= 10 }
        return .decimal(Fixed(units: Int64((d * factor).rounded()), scale: scale))
    }

    /// 80 as "80", 97.5 as "97.5".
    static func number(_ d: Double) -> String {
        d == d.rounded() ? String(Int(d)) : decimal(d, scale: 2).displayText
    }
}
