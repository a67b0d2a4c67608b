/// One customer's purchases over a period: the days with a net purchase and their net
/// amounts, and the net value including refund-only days.
public struct CustomerHistory: Sendable {
    public private(set) var customer: Int64 = 0
    /// Days (local day numbers, ascending) whose net amount is positive.
    public private(set) var days: [Int] = []
    /// The net amount of each of `days`, in units of the reader's scale.
    public private(set) var amounts: [Int64] = []
    /// Net value over the period: purchases less refunds.
    public private(set) var total: Int64 = 0

    public init() {}

    /// A history built from (day, net amount) pairs, for tests and tools.
    public init(customer: Int64, _ entries: [(day: Int, amount: Int64)]) {
        reset(customer)
        for e in entries.sorted(by: { $0.day < $1.day }) { add(day: e.day, amount: e.amount) }
    }

    mutating func reset(_ id: Int64) {
        customer = id
        days.removeAll(keepingCapacity: true)
        amounts.removeAll(keepingCapacity: true)
        total = 0
    }

    /// Adds one day's net; the same day twice adds up.
    mutating func add(day: Int, amount: Int64) {
        total += amount
        if let last = days.last, last == day {
            amounts[amounts.count - 1] += amount
            if amounts[amounts.count - 1] <= 0 { days.removeLast(); amounts.removeLast() }
            return
        }
        if amount > 0 {
            days.append(day)
            amounts.append(amount)
        }
    }

    /// Purchase days.
    public var count: Int { days.count }
    public var first: Int? { days.first }
    public var last: Int? { days.last }

    /// Mean days between purchase days; nil with fewer than two.
    public var meanInterval: Double? {
        guard days.count >= 2 else { return nil }
        return Double(days[days.count - 1] - days[0]) / Double(days.count - 1)
    }

    /// Purchase days in `from...to`.
    public func count(from: Int, to: Int) -> Int {
        days.reduce(0) { $0 + (($1 >= from && $1 <= to) ? 1 : 0) }
    }
}
