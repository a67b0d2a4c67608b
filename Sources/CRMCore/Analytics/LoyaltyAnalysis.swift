/// Repurchase and loyalty (seed 002): per period and per source channel, how many customers
/// bought, the share who bought again, the share of loyal customers (at least
/// `loyal_purchases` purchase days within `loyal_months` months up to the period's end),
/// and the mean and median repurchase interval (days between consecutive purchase days,
/// counted in the period of the later one).
public struct LoyaltyAnalysis: Sendable {
    public enum Grain: String, Sendable, CaseIterable { case month, quarter, year }

    /// The figures of one group (a period or a channel).
    public struct Group: Sendable, Equatable {
        public var label: String
        public var buyers = 0
        public var repeaters = 0
        public var loyal = 0
        public var intervals: [Int32] = []

        public var repurchaseRate: Double { buyers == 0 ? 0 : Double(repeaters) * 100 / Double(buyers) }
        public var loyalShare: Double { buyers == 0 ? 0 : Double(loyal) * 100 / Double(buyers) }
        public var meanInterval: Double? {
            intervals.isEmpty ? nil : Double(intervals.reduce(0) { $0 + Int($1) }) / Double(intervals.count)
        }
        public var medianInterval: Double? {
            guard !intervals.isEmpty else { return nil }
            let s = intervals.sorted(), n = s.count
            return n % 2 == 1 ? Double(s[n / 2]) : Double(Int(s[n / 2 - 1]) + Int(s[n / 2])) / 2
        }
    }

    public var periods: [Group]
    public var channels: [Group]

    /// The period holding a day, as a number: months and quarters counted from year 0.
    static func bucket(_ day: Int, _ grain: Grain) -> Int {
        let c = DateCodec.civilFromDays(day)
        switch grain {
        case .month: return c.year * 12 + c.month - 1
        case .quarter: return c.year * 4 + (c.month - 1) / 3
        case .year: return c.year
        }
    }

    /// A period's label: `2026-11`, `2026-Q4`, `2026`.
    public static func label(bucket b: Int, _ grain: Grain) -> String {
        switch grain {
        case .month: return String(format: "%04d-%02d", b / 12, b % 12 + 1)
        case .quarter: return String(format: "%04d-Q%d", b / 4, b % 4 + 1)
        case .year: return String(format: "%04d", b)
        }
    }

    /// The last day of a period.
    static func lastDay(bucket b: Int, _ grain: Grain) -> Int {
        let (y, m): (Int, Int)
        switch grain {
        case .month: (y, m) = (b / 12, b % 12 + 1)
        case .quarter: (y, m) = (b / 4, (b % 4) * 3 + 3)
        case .year: (y, m) = (b, 12)
        }
        return m == 12 ? DateCodec.daysFromCivil(y + 1, 1, 1) - 1 : DateCodec.daysFromCivil(y, m + 1, 1) - 1
    }

    /// Whether the days hold at least `count` within the `months` months ending on `end`.
    static func loyal(_ days: [Int], end: Int, count: Int, months: Int) -> Bool {
        let c = DateCodec.civilFromDays(end)
        var y = c.year, m = c.month - months
        while m < 1 { m += 12; y -= 1 }
        let start = DateCodec.daysFromCivil(y, m, min(c.day, 28)) + 1
        var n = 0
        for d in days.reversed() {
            if d > end { continue }
            if d < start { break }
            n += 1
        }
        return n >= count
    }

    /// Runs over the period; `channel` gives each customer's source channel as an index
    /// into `channelNames` (nil: none).
    public static func run(_ purchases: Purchases, period: Purchases.Period, grain: Grain, settings s: AnalyticsSettings,
                           channelNames: [String], channel: (Int64) -> Int?) throws -> LoyaltyAnalysis {
        // Groups live in arrays and are changed in place: a copy taken out of a collection
        // would copy its growing interval list once per customer.
        var periods: [Group] = [], periodAt: [Int: Int] = [:], buckets: [Int] = []
        var channels = (channelNames + ["(none)"]).map { Group(label: $0) }
        let none = channelNames.count
        let from = period.from ?? Int.min, end = period.to ?? Int.max
        var seen: [(period: Int, lastDay: Int, count: Int)] = []
        var lastBucket = Int.min, lastIndex = 0
        func index(_ b: Int) -> Int {
            if b == lastBucket { return lastIndex }
            let i = periodAt[b] ?? {
                periods.append(Group(label: label(bucket: b, grain)))
                buckets.append(b)
                periodAt[b] = periods.count - 1
                return periods.count - 1
            }()
            lastBucket = b
            lastIndex = i
            return i
        }
        try purchases.histories(Purchases.Period(to: period.to)) { h in
            seen.removeAll(keepingCapacity: true)
            var any = 0
            let c = channel(h.customer) ?? none
            for (i, day) in h.days.enumerated() where day >= from && day <= end {
                let b = bucket(day, grain), p = index(b)
                if seen.last?.period == p { seen[seen.count - 1].count += 1 } else { seen.append((p, lastDay(bucket: b, grain), 1)) }
                any += 1
                if i > 0 {
                    let interval = Int32(day - h.days[i - 1])
                    periods[p].intervals.append(interval)
                    channels[c].intervals.append(interval)
                }
            }
            guard any > 0 else { return }
            for (p, last, n) in seen {
                periods[p].buyers += 1
                if n >= 2 { periods[p].repeaters += 1 }
                if loyal(h.days, end: min(last, end), count: s.loyalPurchases, months: s.loyalMonths) { periods[p].loyal += 1 }
            }
            channels[c].buyers += 1
            if any >= 2 { channels[c].repeaters += 1 }
            if loyal(h.days, end: period.to ?? h.days.last!, count: s.loyalPurchases, months: s.loyalMonths) { channels[c].loyal += 1 }
        }
        let order = buckets.indices.sorted { buckets[$0] < buckets[$1] }
        return LoyaltyAnalysis(periods: order.map { periods[$0] },
                               channels: channels.filter { $0.buyers > 0 }
                                   .sorted { $0.buyers != $1.buyers ? $0.buyers > $1.buyers : $0.label < $1.label })
    }
}
