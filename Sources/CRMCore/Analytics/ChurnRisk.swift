/// Customers slipping away against their own history (003 篇二): their recency or their
/// frequency has dropped compared with how they used to buy, not with everyone else.
///
/// With two or more purchase days a customer has a rhythm (their mean interval). Recency
/// has dropped when they are silent for more than `churn_recency` × that interval;
/// frequency has dropped when, in the last `churn_window_days`, they bought on fewer days
/// than `churn_drop` × what their rate before the window predicts (they need a full window
/// of history before it, and a rate predicting at least one purchase in the window).
public enum ChurnRisk {
    /// One customer at risk.
    public struct Entry: Sendable, Equatable {
        public var customer: Int64
        /// Net value over their history, in units.
        public var total: Int64
        public var lastPurchase: Int
        public var silentDays: Int
        /// Their own mean days between purchase days.
        public var meanInterval: Double
        /// Purchase days in the recent window, and what their earlier rate predicts (nil
        /// when they have no full window of history before it).
        public var recent: Int
        public var expected: Double?
        /// `silent` (recency dropped), `fewer` (frequency dropped) or both.
        public var reasons: [String]
    }

    /// The assessment of one history on day `end`; nil when not at risk.
    public static func assess(_ h: CustomerHistory, end: Int, settings s: AnalyticsSettings) -> Entry? {
        guard h.count >= 2, let first = h.first, let last = h.last, let mean = h.meanInterval else { return nil }
        var reasons: [String] = []
        let silent = end - last
        if Double(silent) > s.churnRecency * mean { reasons.append("silent") }
        let window = s.churnWindowDays
        let windowStart = end - window + 1
        let recent = h.count(from: windowStart, to: end)
        var expected: Double?
        if first <= windowStart - window {
            let before = h.count(from: first, to: windowStart - 1)
            let rate = Double(before) * Double(window) / Double(windowStart - first)
            expected = rate
            // Below one expected purchase the window says nothing about a drop.
            if rate >= 1, Double(recent) < s.churnDrop * rate { reasons.append("fewer") }
        }
        guard !reasons.isEmpty else { return nil }
        return Entry(customer: h.customer, total: h.total, lastPurchase: last, silentDays: silent, meanInterval: mean,
                     recent: recent, expected: expected, reasons: reasons)
    }

    /// Every customer at risk on day `end`, largest value first.
    public static func run(_ purchases: Purchases, end: Int, settings: AnalyticsSettings) throws -> [Entry] {
        var out: [Entry] = []
        try purchases.histories(Purchases.Period(to: end)) { h in
            if let e = assess(h, end: end, settings: settings) { out.append(e) }
        }
        out.sort { $0.total != $1.total ? $0.total > $1.total : $0.customer < $1.customer }
        return out
    }
}
