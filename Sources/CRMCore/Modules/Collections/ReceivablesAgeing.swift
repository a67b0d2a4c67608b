/// What customers still owe on signed contracts, by how long it is overdue.
///
/// An instalment is in a bucket by its due date against the day of the report: due that
/// day or later is not yet due; 1–30 days past its due date is 1–30 (the 30th day
/// included), 31–60, 61–90, then over 90.
public enum ReceivablesAgeing {
    /// The bucket columns, in order.
    public static let buckets: [(name: String, label: String)] = [
        ("not_due", "not yet due"), ("d1_30", "1–30"), ("d31_60", "31–60"), ("d61_90", "61–90"), ("over_90", "over 90"),
    ]

    /// The bucket index (0…4) of an instalment this many days past its due date.
    public static func bucket(daysOverdue d: Int) -> Int {
        switch d {
        case ...0: return 0
        case 1...30: return 1
        case 31...60: return 2
        case 61...90: return 3
        default: return 4
        }
    }

    /// One instalment still owed.
    public struct Item: Sendable, Equatable {
        public var contract: Int64
        public var customer: Int64
        public var owner: Int64?
        public var instalment: Int64
        public var due: Int
        public var owed: Int64
        public var daysOverdue: Int
        public var bucket: Int { ReceivablesAgeing.bucket(daysOverdue: daysOverdue) }
    }

    /// Every instalment of a signed contract still owed on `day`, counting receipts
    /// received up to that day.
    public static func items(_ store: CRMStore, on day: Int) throws -> [Item] {
        let contracts = try store.select(sql: "SELECT id, customer, owner FROM sales_contract WHERE status = 'signed' ORDER BY id",
                                         arguments: [])
        var out: [Item] = []
        for r in contracts.rows {
            guard case .integer(let id) = r[0], case .integer(let customer) = r[1] else { continue }
            let owner: Int64? = { if case .integer(let o) = r[2] { return o } else { return nil } }()
            let plan = try PaymentPlan.load(store, contract: id, asOf: day)
            for line in plan.lines where line.owed > 0 {
                out.append(Item(contract: id, customer: customer, owner: owner, instalment: line.id, due: line.due,
                                owed: line.owed, daysOverdue: day - line.due))
            }
        }
        return out
    }

    /// Totals per key in cents: one array of five buckets and the total.
    public static func totals<K: Hashable>(_ items: [Item], by key: (Item) -> K) -> [K: [Int64]] {
        var out: [K: [Int64]] = [:]
        for item in items {
            var row = out[key(item)] ?? Array(repeating: 0, count: buckets.count + 1)
            row[item.bucket] += item.owed
            row[buckets.count] += item.owed
            out[key(item)] = row
        }
        return out
    }
}
