import CRMCore

/// `loyalty`: repurchase rate, loyal share and repurchase intervals by period and channel.
enum AnalyticsLoyalty {
    static let verb = AnalysisVerb(
        name: "loyalty",
        summary: "repurchase rate, loyal customers and repurchase interval: loyalty [by=month|quarter|year]",
        details: """
            The relationship programme's figures (seed 002), per period and per source channel
            (customer.source): buyers, repurchase rate (the share of buyers with two or more
            purchase days in the period), the share of loyal customers (at least
            analytics.loyal_purchases purchase days within analytics.loyal_months months up to
            the period's end; for channels, up to to=), and the mean and median repurchase
            interval in days (between consecutive purchase days, counted in the period of the
            later one).

            Example:
              loyalty
              loyalty by=quarter from=2026-01-01
            """,
        parameters: [
            AnalysisParameter(name: "from", type: .date, defaultText: nil, label: "first day (default: all history)"),
            AnalysisParameter(name: "to", type: .date, defaultText: nil, label: "last day (default: today)"),
            AnalysisParameter(name: "by", type: .enumeration(LoyaltyAnalysis.Grain.allCases.map(\.rawValue)), defaultText: "year",
                              label: "the periods"),
        ],
        body: run)

    static func run(_ c: AnalysisContext) throws -> Output {
        let purchases = try c.purchases()
        let settings = try c.settings
        let grain = LoyaltyAnalysis.Grain(rawValue: c.text("by") ?? "year") ?? .year
        // Channels interned: a million customers share a few names.
        var channelOf: [Int64: UInt16] = [:], names: [String] = [], index: [String: UInt16] = [:]
        try c.modules().idTexts(sql: "SELECT id, source FROM customer WHERE source IS NOT NULL AND source <> ''") { id, text in
            guard let text else { return }
            if index[text] == nil, names.count < Int(UInt16.max) { index[text] = UInt16(names.count); names.append(text) }
            if let i = index[text] { channelOf[id] = i }
        }
        let result = try LoyaltyAnalysis.run(purchases, period: c.period, grain: grain, settings: settings,
                                             channelNames: names) { channelOf[$0].map(Int.init) }
        guard !result.periods.isEmpty else {
            return .message("loyalty: no purchases \(c.period.description) (\(purchases.sourceLines)); nothing to measure")
        }
        func rows(_ groups: [LoyaltyAnalysis.Group]) -> [[Value]] {
            groups.map { g in
                [.text(g.label), .integer(Int64(g.buyers)), .integer(Int64(g.repeaters)), AnalyticsFormat.percent(g.repurchaseRate),
                 AnalyticsFormat.percent(g.loyalShare), g.meanInterval.map { AnalyticsFormat.decimal($0, scale: 1) } ?? .null,
                 g.medianInterval.map { AnalyticsFormat.decimal($0, scale: 1) } ?? .null]
            }
        }
        func columns(_ first: String) -> [Column] {
            [Column(first), Column("buyers", numeric: true), Column("repeat_buyers", label: "bought again", numeric: true),
             Column("repurchase_rate", label: "repurchase %", numeric: true), Column("loyal_share", label: "loyal %", numeric: true),
             Column("mean_interval", label: "mean interval", numeric: true), Column("median_interval", label: "median interval", numeric: true)]
        }
        return .sections([
            .message("Loyalty \(c.period.description): loyal = \(settings.loyalPurchases)+ purchase days in \(settings.loyalMonths) months; "
                     + purchases.sourceLines),
            .table(ResultTable(title: "By \(grain.rawValue)", columns: columns(grain.rawValue), rows: rows(result.periods))),
            .chart(Chart(kind: .line, title: "Repurchase % and loyal % by \(grain.rawValue)", labels: result.periods.map(\.label),
                         series: [Chart.Series(name: "repurchase %", values: result.periods.map(\.repurchaseRate)),
                                  Chart.Series(name: "loyal %", values: result.periods.map(\.loyalShare))])),
            .table(ResultTable(title: "By source channel", columns: columns("source"), rows: rows(result.channels))),
        ])
    }
}

/// `satisfaction`: perceived performance against expectation, per touchpoint and month.
enum AnalyticsSatisfaction {
    static let verb = AnalysisVerb(
        name: "satisfaction",
        summary: "satisfaction gap (perception − expectation) per touchpoint, by month: satisfaction [from=…]",
        details: """
            Satisfaction is perceived performance against expectation, not the expectation
            alone (seed 001). Read from core tickets (satisfaction 1–5 per ticket kind, against
            analytics.satisfaction_expectation) and every survey a plugin declares with
            crm.survey_source (its own expectation score, or the setting). gap = mean
            perception − mean expectation: below zero the touchpoint falls short of what
            customers expected; work on the largest negative gaps first. The trend by month is
            drawn.

            Example:
              satisfaction
              satisfaction from=2026-01-01 to satisfaction.html
            """,
        parameters: [
            AnalysisParameter(name: "from", type: .date, defaultText: nil, label: "first day (default: all history)"),
            AnalysisParameter(name: "to", type: .date, defaultText: nil, label: "last day (default: today)"),
        ],
        body: run)

    static func run(_ c: AnalysisContext) throws -> Output {
        let settings = try c.settings
        let sources = [SurveySource.tickets] + (c.session.plugins?.surveySources ?? [])
        let result = try SatisfactionAnalysis.run(try c.modules(), sources: sources, period: c.period, settings: settings)
        let read = "answers from " + sources.map { "\($0.entity).\($0.perception) (\($0.owner))" }.joined(separator: "; ")
        guard !result.cells.isEmpty else {
            return .message("satisfaction: no answers \(c.period.description) (\(read)); nothing to measure")
        }
        var touch: [String: (n: Int, p: Double, x: Double)] = [:], month: [String: (n: Int, p: Double, x: Double)] = [:]
        for cell in result.cells {
            let key = "\(cell.source)\u{1}\(cell.touchpoint)"
            var t = touch[key] ?? (0, 0, 0)
            t.n += cell.answers; t.p += cell.perception; t.x += cell.expectation
            touch[key] = t
            var m = month[cell.month] ?? (0, 0, 0)
            m.n += cell.answers; m.p += cell.perception; m.x += cell.expectation
            month[cell.month] = m
        }
        let touchRows: [[Value]] = touch.keys.sorted().map { key in
            let t = touch[key]!, parts = key.split(separator: "\u{1}").map(String.init)
            let n = Double(t.n)
            return [.text(parts[0]), .text(parts.count > 1 ? parts[1] : ""), .integer(Int64(t.n)),
                    AnalyticsFormat.decimal(t.x / n, scale: 2), AnalyticsFormat.decimal(t.p / n, scale: 2),
                    AnalyticsFormat.decimal((t.p - t.x) / n, scale: 2)]
        }
        let months = month.keys.sorted()
        let gaps = months.map { let m = month[$0]!; return (m.p - m.x) / Double(m.n) }
        let monthRows: [[Value]] = months.enumerated().map { i, key in
            let m = month[key]!
            return [.text(key), .integer(Int64(m.n)), AnalyticsFormat.decimal(m.x / Double(m.n), scale: 2),
                    AnalyticsFormat.decimal(m.p / Double(m.n), scale: 2), AnalyticsFormat.decimal(gaps[i], scale: 2)]
        }
        let scores = [Column("answers", numeric: true), Column("expectation", numeric: true),
                      Column("perception", numeric: true), Column("gap", numeric: true)]
        return .sections([
            .message("Satisfaction \(c.period.description): \(read)"),
            .table(ResultTable(title: "Gap per touchpoint (perception − expectation)",
                               columns: [Column("source"), Column("touchpoint")] + scores, rows: touchRows)),
            .table(ResultTable(title: "By month", columns: [Column("month")] + scores, rows: monthRows)),
            .chart(Chart(kind: .line, title: "Satisfaction gap by month", labels: months,
                         series: [Chart.Series(name: "gap", values: gaps)])),
        ])
    }
}
