/// Lifecycle stages from each customer's own purchase history (003 篇二):
/// potential → development → growth → maturity → termination.
///
/// The rules, in order (thresholds are `analytics.lifecycle_*` settings):
/// - no purchase: potential;
/// - one purchase day: development, or termination when silent for `lifecycle_single_days`;
/// - two or more: termination when silent for `lifecycle_silence` × their own mean interval;
///   growth while they have fewer than `lifecycle_mature_purchases` purchase days, or when
///   their latest interval is under `lifecycle_growth_ratio` × the mean of the earlier ones
///   (buying more often); else maturity (a steady rhythm).
public struct LifecycleAnalysis: Sendable {
    public static let stages = ["potential", "development", "growth", "maturity", "termination"]

    public var end: Int
    /// Customers per stage, in the order of `stages` (potential counts the customers without purchases).
    public var counts: [Int]
    var ids: [Int64]
    var stageIndex: [UInt8]

    /// The stage of one history seen on day `end`; nil history means no purchase.
    public static func stage(_ h: CustomerHistory?, end: Int, settings s: AnalyticsSettings) -> String {
        guard let h, let last = h.last else { return "potential" }
        let silent = end - last
        if h.count == 1 { return silent > s.lifecycleSingleDays ? "termination" : "development" }
        let mean = h.meanInterval!
        if Double(silent) > s.lifecycleSilence * mean { return "termination" }
        if h.count < s.lifecycleMaturePurchases { return "growth" }
        let n = h.days.count
        let latest = Double(h.days[n - 1] - h.days[n - 2])
        let earlier = Double(h.days[n - 2] - h.days[0]) / Double(n - 2)
        return latest < s.lifecycleGrowthRatio * earlier ? "growth" : "maturity"
    }

    /// The stage of a customer (potential when they have no purchase).
    public func stage(of id: Int64) -> String {
        var lo = 0, hi = ids.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ids[mid] < id { lo = mid + 1 } else { hi = mid }
        }
        return lo < ids.count && ids[lo] == id ? LifecycleAnalysis.stages[Int(stageIndex[lo])] : "potential"
    }

    /// Runs over every purchase up to `end`; `customers` is the number of customers in all.
    public static func run(_ purchases: Purchases, end: Int, customers: Int, settings: AnalyticsSettings) throws -> LifecycleAnalysis {
        var ids: [Int64] = [], index: [UInt8] = []
        var counts = [Int](repeating: 0, count: stages.count)
        try purchases.histories(Purchases.Period(to: end)) { h in
            let s = stages.firstIndex(of: stage(h, end: end, settings: settings))!
            guard h.count > 0 else { return }
            ids.append(h.customer)
            index.append(UInt8(s))
            counts[s] += 1
        }
        counts[0] = max(0, customers - ids.count)
        return LifecycleAnalysis(end: end, counts: counts, ids: ids, stageIndex: index)
    }
}
