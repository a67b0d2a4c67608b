/// Recency, frequency and monetary value per customer, as the `lifetimes` Python package
/// defines them (`summary_data_from_transaction_data`, daily periods), with quintile
/// scores 1–5 and the usual segment names.
public struct RFMAnalysis: Sendable {
    /// One customer's figures.
    public struct Row: Sendable, Equatable {
        public var customer: Int64
        /// Repeat purchase days: purchase days after the first.
        public var frequency: Int
        /// Days between the first and the last purchase day.
        public var recency: Int
        /// Days between the first purchase day and the end of the period.
        public var age: Int
        /// Mean net value of the repeat purchase days, in units; 0 without repeats.
        public var monetary: Double
        /// Net value over the period, refunds included, in units.
        public var total: Int64
        /// Quintile scores 1–5: R (5 = bought most recently), F (5 = most purchase days),
        /// M (5 = most value).
        public var r = 0, f = 0, m = 0
        /// The segment of the R and F scores.
        public var segment: String { RFMAnalysis.segment(r: r, f: f) }

        /// Days since the last purchase at the end of the period.
        public var silentDays: Int { age - recency }
    }

    public var period: Purchases.Period
    /// The last day of the observation period.
    public var end: Int
    public var rows: [Row]

    /// The figures of one history, observed up to `end`.
    public static func figures(_ h: CustomerHistory, end: Int) -> Row? {
        guard let first = h.first, let last = h.last else { return nil }
        let frequency = h.count - 1
        var repeatSum: Int64 = 0
        for a in h.amounts.dropFirst() { repeatSum += a }
        return Row(customer: h.customer, frequency: frequency, recency: last - first, age: end - first,
                   monetary: frequency > 0 ? Double(repeatSum) / Double(frequency) : 0, total: h.total)
    }

    /// Scores 1–5 by rank: the lowest fifth of values gets 1, the highest 5; equal values
    /// get the same score (that of the first of them).
    public static func quintiles(_ values: [Double]) -> [Int] {
        let n = values.count
        guard n > 0 else { return [] }
        let order = values.indices.sorted { values[$0] < values[$1] }
        var scores = [Int](repeating: 1, count: n)
        var rankOfValue = 0
        for (rank, i) in order.enumerated() {
            if rank == 0 || values[i] != values[order[rank - 1]] { rankOfValue = rank }
            scores[i] = 1 + (5 * rankOfValue) / n
        }
        return scores
    }

    /// The segment of an R and F score, after the usual RFM grid.
    public static func segment(r: Int, f: Int) -> String {
        switch (r, f) {
        case (5, 4...5): return "champions"
        case (3...4, 4...5): return "loyal"
        case (1...2, 5): return "cannot lose"
        case (1...2, 3...4): return "at risk"
        case (1, 1): return "lost"
        case (1...2, 1...2): return "hibernating"
        case (3, 3): return "need attention"
        case (3, 1...2): return "about to sleep"
        case (4...5, 2...3): return "potential loyal"
        case (4, 1): return "promising"
        default: return "new"
        }
    }

    /// The segments in the order reports list them, best first.
    public static let segments = ["champions", "loyal", "potential loyal", "new", "promising", "need attention",
                                  "about to sleep", "at risk", "cannot lose", "hibernating", "lost"]

    /// Runs over the purchases of a period that ends on `end` (a purchase after it is not seen).
    public static func run(_ purchases: Purchases, period: Purchases.Period, end: Int) throws -> RFMAnalysis {
        var p = period
        p.to = min(p.to ?? end, end)
        var rows: [Row] = []
        try purchases.histories(p) { h in
            if let row = figures(h, end: end) { rows.append(row) }
        }
        let r = quintiles(rows.map { -Double($0.silentDays) })
        let f = quintiles(rows.map { Double($0.frequency) })
        let m = quintiles(rows.map { Double($0.total) })
        for i in rows.indices {
            rows[i].r = r[i]
            rows[i].f = f[i]
            rows[i].m = m[i]
        }
        return RFMAnalysis(period: p, end: end, rows: rows)
    }
}
