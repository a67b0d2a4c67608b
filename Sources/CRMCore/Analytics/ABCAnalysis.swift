/// Pareto (ABC) value classes: customers ranked by net value over a period; A makes the
/// first `abc_a`% of the value, B reaches `abc_b`%, C is the rest (customers without
/// purchases, or whose refunds cancel their purchases, are C).
public struct ABCAnalysis: Sendable {
    /// One class: how many customers and how much value.
    public struct ClassTotal: Sendable, Equatable {
        public var name: String
        public var customers: Int
        public var value: Int64
    }

    public var period: Purchases.Period
    public var classes: [ClassTotal]
    /// Net value of the customers with a positive value.
    public var total: Int64
    /// Customers with any purchase in the period.
    public var customers: Int
    /// Cumulative value share (%) at each 5% of customers, best first.
    public var pareto: [(customerShare: Double, valueShare: Double)]
    /// Customer ids ascending, and each one's class (0 A, 1 B, 2 C).
    var ids: [Int64]
    var classIndex: [UInt8]
    public static let names = ["A", "B", "C"]

    /// The class of a customer; C for customers without purchases in the period.
    public func valueClass(of id: Int64) -> String {
        var lo = 0, hi = ids.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ids[mid] < id { lo = mid + 1 } else { hi = mid }
        }
        return lo < ids.count && ids[lo] == id ? ABCAnalysis.names[Int(classIndex[lo])] : "C"
    }

    /// Classes for these (customer, net value) pairs: the customer whose value crosses a
    /// threshold still belongs to the class below it (the first 80% includes it). Ties are
    /// ranked by id.
    public static func classify(_ values: [(id: Int64, value: Int64)], a: Double, b: Double) -> [UInt8] {
        let order = values.indices.sorted {
            values[$0].value != values[$1].value ? values[$0].value > values[$1].value : values[$0].id < values[$1].id
        }
        let total = values.reduce(Int64(0)) { $0 + max($1.value, 0) }
        var classes = [UInt8](repeating: 2, count: values.count)
        guard total > 0 else { return classes }
        var before: Int64 = 0
        for i in order {
            let v = values[i].value
            guard v > 0 else { break }
            let share = Double(before) * 100 / Double(total)
            classes[i] = share < a ? 0 : (share < b ? 1 : 2)
            before += v
        }
        return classes
    }

    /// Runs the analysis over the purchases of a period.
    public static func run(_ purchases: Purchases, period: Purchases.Period, settings: AnalyticsSettings) throws -> ABCAnalysis {
        var pairs: [(id: Int64, value: Int64)] = []
        try purchases.totals(period) { pairs.append(($0, $1)) }
        pairs.sort { $0.id < $1.id }
        let classes = classify(pairs, a: settings.abcA, b: settings.abcB)
        var totals = names.map { ClassTotal(name: $0, customers: 0, value: 0) }
        for (i, p) in pairs.enumerated() {
            totals[Int(classes[i])].customers += 1
            totals[Int(classes[i])].value += p.value
        }
        let positive = pairs.map { max($0.value, 0) }.sorted(by: >)
        let total = positive.reduce(0, +)
        var pareto: [(Double, Double)] = []
        if total > 0 {
            var cumulative: Int64 = 0, taken = 0
            for k in 1...20 {
                let upTo = (k * positive.count + 19) / 20
                while taken < upTo { cumulative += positive[taken]; taken += 1 }
                pareto.append((Double(k * 5), Double(cumulative) * 100 / Double(total)))
            }
        }
        return ABCAnalysis(period: period, classes: totals, total: total, customers: pairs.count, pareto: pareto,
                           ids: pairs.map(\.id), classIndex: classes)
    }
}
