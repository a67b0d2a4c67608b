/// A contract's instalments with what has been paid on each, in cents.
///
/// A receipt naming an instalment pays that instalment; a receipt naming none pays the
/// instalments in order of due date (then id), oldest first, after the named receipts.
/// This is how a finance department applies an unallocated bank transfer.
public struct PaymentPlan: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var id: Int64
        /// Day number of the due date.
        public var due: Int
        public var amount: Int64
        public var paid: Int64 = 0
        public var owed: Int64 { amount - paid }

        public init(id: Int64, due: Int, amount: Int64) {
            self.id = id
            self.due = due
            self.amount = amount
        }
    }

    public var lines: [Line]
    /// What every receipt together paid.
    public var received: Int64
    /// Receipts naming no instalment that found no instalment still owed (overpaid plan).
    public var unapplied: Int64

    /// Applies `receipts` (the instalment named, or nil; amount in cents) to the instalments.
    public init(instalments: [Line], receipts: [(instalment: Int64?, amount: Int64)]) {
        var lines = instalments.sorted { ($0.due, $0.id) < ($1.due, $1.id) }
        var general: Int64 = 0
        var received: Int64 = 0
        for r in receipts {
            received += r.amount
            if let i = r.instalment, let k = lines.firstIndex(where: { $0.id == i }) {
                lines[k].paid += r.amount
            } else {
                general += r.amount
            }
        }
        for k in lines.indices where general > 0 && lines[k].owed > 0 {
            let part = min(general, lines[k].owed)
            lines[k].paid += part
            general -= part
        }
        self.lines = lines
        self.received = received
        self.unapplied = general
    }

    /// The sum of the instalments.
    public var planned: Int64 { lines.reduce(0) { $0 + $1.amount } }

    /// The plan of one contract as stored: its instalments and the receipts received on or
    /// before `asOf` (a day number; nil: all), leaving out the receipt `excluding`.
    public static func load(_ store: CRMStore, contract: Int64, asOf: Int? = nil, excluding: Int64? = nil) throws -> PaymentPlan {
        let instalments = try store.select(sql: "SELECT id, due, amount FROM instalment WHERE contract = ? ORDER BY due, id",
                                           arguments: [.integer(contract)])
        let lines = instalments.rows.compactMap { r -> Line? in
            guard case .integer(let id) = r[0], let due = DateCodec.days(ofDate: r[1].displayText) else { return nil }
            return Line(id: id, due: due, amount: Money.cents(r[2]))
        }
        var sql = "SELECT id, instalment, amount, received FROM receipt WHERE contract = ?"
        var arguments: [Value] = [.integer(contract)]
        if let asOf {
            sql += " AND received <= ?"
            arguments.append(.text(DateCodec.dateText(days: asOf)))
        }
        let receipts = try store.select(sql: sql + " ORDER BY id", arguments: arguments).rows.compactMap { r -> (Int64?, Int64)? in
            if case .integer(let id) = r[0], id == excluding { return nil }
            if case .integer(let i) = r[1] { return (i, Money.cents(r[2])) }
            return (nil, Money.cents(r[2]))
        }
        return PaymentPlan(instalments: lines, receipts: receipts)
    }
}

/// Money as whole cents, the way the modules add it up (exactly).
public enum Money {
    /// The cents of a money value (a stored integer of cents, or a decimal).
    public static func cents(_ v: Value) -> Int64 {
        switch v {
        case .integer(let n): return n
        case .decimal(let f): return f.rescaled(to: 2)?.units ?? f.rounded(toScale: 2)?.units ?? 0
        default: return 0
        }
    }

    /// Cents as a money value.
    public static func value(_ cents: Int64) -> Value { .decimal(Fixed(units: cents, scale: 2)) }

    /// Cents as text (`1234.50`).
    public static func text(_ cents: Int64) -> String { Fixed(units: cents, scale: 2).description }

    /// `part / whole` as a percentage with one decimal, rounded half away from zero; null when whole is 0.
    public static func percent(_ part: Int64, of whole: Int64) -> Value {
        guard whole != 0, let f = Fixed.quotient(part, numeratorScale: 0, dividedBy: whole, scale: 3) else { return .null }
        // quotient gives the share with 3 decimals; ×100 with one decimal is the same digits.
        return .decimal(Fixed(units: f.units, scale: 1))
    }
}
