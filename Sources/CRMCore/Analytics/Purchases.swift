/// Reads purchases as (customer, day, amount) through the value sources, for every analysis.
///
/// Amounts of all sources are brought to one scale (the largest of their fields', at least
/// cents) so they add up exactly. Refunds are negative amounts and are netted: per customer
/// and day in `days`, per customer in `totals`; a day whose net is zero or less is no
/// purchase day (it only lowers the customer's value).
public struct Purchases {
    public let store: ModuleStore
    public let sources: [ValueSource]
    /// The scale of the amounts handed out (2: cents).
    public let scale: Int

    /// Purchases through these sources (won deals when none is given); each is checked
    /// against the schema first.
    public init(store: CRMStore, sources: [ValueSource]) throws {
        guard let modules = store as? ModuleStore else {
            throw ValueSourceError("analytics needs a SQLite or PostgreSQL database (\(store.displayName) is neither)")
        }
        self.store = modules
        self.sources = sources.isEmpty ? [.wonDeals] : sources
        for s in self.sources {
            do { try s.check(store.schema.entity(named: s.entity)) } catch let e as ValueSourceError {
                throw ValueSourceError((s.location.map { "\($0): " } ?? "") + e.message)
            }
        }
        scale = max(2, self.sources.compactMap { store.schema.entity(named: $0.entity)?.field($0.amount)?.type.scale }.max() ?? 2)
    }

    /// An inclusive range of local day numbers; nil ends are open.
    public struct Period: Sendable, Equatable {
        public var from: Int?
        public var to: Int?
        public init(from: Int? = nil, to: Int? = nil) {
            self.from = from
            self.to = to
        }

        /// `from 2026-01-01 to 2026-11-30`, `up to 2026-11-30`, `all time`.
        public var description: String {
            switch (from, to) {
            case let (f?, t?): return "\(DateCodec.dateText(days: f)) to \(DateCodec.dateText(days: t))"
            case let (f?, nil): return "from \(DateCodec.dateText(days: f))"
            case let (nil, t?): return "up to \(DateCodec.dateText(days: t))"
            default: return "all time"
            }
        }
    }

    /// One SELECT of (c, d, a) over every source: customer id, day text, amount in units of `scale`.
    func unionSQL(_ period: Period) -> (sql: String, arguments: [Value]) {
        var parts: [String] = [], arguments: [Value] = []
        for s in sources {
            let fieldScale = store.schema.entity(named: s.entity)?.field(s.amount)?.type.scale ?? 0
            var factor: Int64 = 1
            for _ in 0..<(scale - fieldScale) { factor *= 10 }
            let day = store.textPrefix(quoted(s.at), 10)
            var conditions = ["\(quoted(s.customer)) IS NOT NULL", "\(quoted(s.at)) IS NOT NULL", "\(quoted(s.amount)) IS NOT NULL"]
            if let c = s.condition, !c.isEmpty { conditions.append("(\(c))") }
            if let f = period.from { conditions.append("\(day) >= ?"); arguments.append(.text(DateCodec.dateText(days: f))) }
            if let t = period.to { conditions.append("\(day) <= ?"); arguments.append(.text(DateCodec.dateText(days: t))) }
            let amount = factor == 1 ? quoted(s.amount) : "\(quoted(s.amount)) * \(factor)"
            parts.append("SELECT \(quoted(s.customer)) AS c, \(day) AS d, \(amount) AS a FROM \(quoted(s.entity))\(store.notIndexed) WHERE "
                         + conditions.joined(separator: " AND "))
        }
        return (parts.joined(separator: " UNION ALL "), arguments)
    }

    /// Each customer's net value over the period: (customer id, amount in units), in id order.
    ///
    /// The purchases are read in one sequential scan and added up per customer in an array
    /// indexed by customer id (8 bytes a customer), which is much faster than SQL's
    /// GROUP BY through the customer index.
    public func totals(_ period: Period, _ body: (Int64, Int64) throws -> Void) throws {
        let (union, arguments) = unionSQL(period)
        let size = try customerIDLimit()
        guard size <= Purchases.largestDenseID else {
            return try run("SELECT c, sum(a) FROM (\(union)) AS p GROUP BY c ORDER BY c", arguments) { h in
                try body(h.int(0), h.int(1))
            }
        }
        var sums = [Int64](repeating: 0, count: size), seen = [Bool](repeating: false, count: size)
        try run("SELECT c, a FROM (\(union)) AS p", arguments) { h in
            let c = Int(h.int(0))
            guard c > 0, c < size else { return }
            sums[c] += h.int(1)
            seen[c] = true
        }
        for c in 1..<size where seen[c] { try body(Int64(c), sums[c]) }
    }

    /// Each customer's days with any purchase or refund, ordered by customer then day:
    /// (customer id, day number, net amount of the day in units).
    ///
    /// Two sequential scans: the first counts each customer's purchases, the second puts
    /// them in place (a day and an amount, 12 bytes a purchase, never an object), so no SQL
    /// sort of every purchase is needed. Rows written between the scans are not seen.
    public func days(_ period: Period, _ body: (_ customer: Int64, _ day: Int, _ amount: Int64) throws -> Void) throws {
        let (union, arguments) = unionSQL(period)
        let size = try customerIDLimit()
        guard size <= Purchases.largestDenseID else {
            return try run("SELECT c, d, sum(a) FROM (\(union)) AS p GROUP BY c, d ORDER BY c, d", arguments) { h in
                guard let day = h.day(1) else { return }
                try body(h.int(0), day, h.int(2))
            }
        }
        var start = [Int32](repeating: 0, count: size + 1)
        try run("SELECT c FROM (\(union)) AS p", arguments) { h in
            let c = Int(h.int(0))
            if c > 0, c < size { start[c + 1] += 1 }
        }
        for c in 0..<size { start[c + 1] += start[c] }
        let total = Int(start[size])
        var dayOf = [Int32](repeating: 0, count: total), amountOf = [Int64](repeating: 0, count: total)
        var filled = start
        try run("SELECT c, d, a FROM (\(union)) AS p", arguments) { h in
            let c = Int(h.int(0))
            guard c > 0, c < size, filled[c] < start[c + 1], let day = h.day(1) else { return }
            let i = Int(filled[c])
            dayOf[i] = Int32(day)
            amountOf[i] = h.int(2)
            filled[c] += 1
        }
        var entries: [(day: Int32, amount: Int64)] = []
        for c in 1..<size where filled[c] > start[c] {
            entries.removeAll(keepingCapacity: true)
            for i in Int(start[c])..<Int(filled[c]) { entries.append((dayOf[i], amountOf[i])) }
            entries.sort { $0.day < $1.day }
            var k = 0
            while k < entries.count {
                let day = entries[k].day
                var net: Int64 = 0
                while k < entries.count, entries[k].day == day { net += entries[k].amount; k += 1 }
                try body(Int64(c), Int(day), net)
            }
        }
    }

    /// Customer ids up to this are counted in arrays (about 12 bytes an id); a database with
    /// larger ids is read through SQL's GROUP BY instead.
    static let largestDenseID = 20_000_000

    /// One more than the largest customer id: the size of the per-customer arrays.
    func customerIDLimit() throws -> Int {
        var largest: Int64 = 0
        try store.stream(sql: "SELECT max(id) FROM customer") { r in largest = r.int(0) }
        return Int(largest) + 1
    }

    /// The purchases are read from the tables (column 0 the customer, filtered to the
    /// customers the caller sees): the caller must read each source, and see its amounts
    /// unmasked on every row it sees, else the analysis would tell what the policy hides.
    func checkAccess() throws {
        guard let policy = store.modulePolicy else { return }
        for s in sources {
            guard let e = store.schema.entity(named: s.entity) else { continue }
            guard policy.may(.read, e.name) else {
                throw AccessDenied("the customer analyses read \(e.name) records, which \(policy.user) (\(policy.role.name)) may not read")
            }
            if let f = e.field(s.amount), f.isPrivate, !policy.seesUnmasked(f, of: e.name),
               !(policy.role.scope == .own && policy.role.privateFields == .own) {
                throw AccessDenied("the customer analyses add up \(e.name).\(f.name), a private field "
                                   + "\(policy.user) (\(policy.role.name)) sees masked (an admin can allow it: grant \(policy.user) private)")
            }
        }
    }

    /// Runs the SQL; an error in a plugin's `where` names its declaration.
    func run(_ sql: String, _ arguments: [Value], _ row: (StreamRow) throws -> Void) throws {
        try checkAccess()
        do {
            try store.stream(sql: sql, arguments: arguments, customer: 0, row: row)
        } catch let e as StoreError {
            let declared = sources.filter { $0.condition != nil }
            let which = declared.map { ($0.location.map { "\($0): " } ?? "") + "where = \"\($0.condition!)\"" }
            throw ValueSourceError("value source: \(e)" + (which.isEmpty ? "" : " (check \(which.joined(separator: "; ")))"))
        }
    }

    /// Each customer's history over the period, one customer at a time in id order. The
    /// history is reused between calls: copy what you keep.
    public func histories(_ period: Period, _ body: (CustomerHistory) throws -> Void) throws {
        var h = CustomerHistory()
        try days(period) { customer, day, amount in
            if customer != h.customer {
                if h.customer != 0 { try body(h) }
                h.reset(customer)
            }
            h.add(day: day, amount: amount)
        }
        if h.customer != 0 { try body(h) }
    }

    /// Units of `scale` as a money value.
    public func money(_ units: Int64) -> Value { .decimal(Fixed(units: units, scale: scale)) }

    /// The sources, one per line, as analyses print them.
    public var sourceLines: String { "value from " + sources.map(\.description).joined(separator: "; ") }
}
