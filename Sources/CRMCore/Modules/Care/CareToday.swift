/// One greeting due today: who, why, and the message filled in.
public struct CareGreeting: Sendable, Equatable {
    public var customer: Int64
    public var name: String
    public var phone: String?
    public var occasion: CareOccasion
    public var message: String
}

/// Whom to greet on a day: birthdays, registration anniversaries, tier upgrades and
/// contract anniversaries, less those already marked sent that day (`care sent`).
public enum CareToday {
    /// The month and day a yearly date falls on in `year`: Feb 29 is Feb 28 in a year
    /// without one (the day before the date would have been, still in February).
    public static func observed(month: Int, day: Int, in year: Int) -> (month: Int, day: Int) {
        if month == 2, day == 29, !isLeap(year) { return (2, 28) }
        return (month, day)
    }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    /// Whole years from a date to `today` when `today` is its yearly day, else nil.
    static func yearsIfToday(_ day: Int, today: Int) -> Int? {
        let d = DateCodec.civilFromDays(day), t = DateCodec.civilFromDays(today)
        let o = observed(month: d.month, day: d.day, in: t.year)
        guard o.month == t.month, o.day == t.day, t.year > d.year else { return nil }
        return t.year - d.year
    }

    /// A stored datetime as epoch seconds (nil for null or other values).
    static func epochSeconds(_ v: Value) -> Int? {
        switch v {
        case .datetime(let s), .text(let s): return DateCodec.epochSeconds(utc: s)
        default: return nil
        }
    }

    /// The summary a sent greeting's interaction carries: `care birthday: …`.
    public static func summary(_ g: CareGreeting) -> String { "care \(g.occasion.rawValue): \(g.message)" }

    /// The greetings due on the store's today, in customer order, each occasion once.
    public static func greetings(_ store: ModuleStore) throws -> [CareGreeting] {
        let today = store.clock.today
        let start = DateCodec.utcText(epochSeconds: DateCodec.localMidnight(days: today))
        let end = DateCodec.utcText(epochSeconds: DateCodec.localMidnight(days: today + 1))
        let templates = try Dictionary(uniqueKeysWithValues: CareOccasion.allCases.map { ($0, try CareTemplates.template(store, $0)) })
        var owners: [Int64: String] = [:]
        try store.scan(Query(entity: "user", fields: ["id", "name"])) { row in
            if case .integer(let id) = row[0] { owners[id] = row[1].displayText }
        }
        // Already greeted today, per customer and occasion.
        var sent: Set<String> = []
        try store.stream(sql: "SELECT customer, summary FROM interaction WHERE at >= ? AND at < ? AND summary LIKE 'care %'",
                         arguments: [.text(start), .text(end)]) { row in
            guard !row.isNull(0), let s = row.text(1), let colon = s.firstIndex(of: ":") else { return }
            sent.insert("\(row.int(0)) \(s[s.index(s.startIndex, offsetBy: 5)..<colon])")
        }
        // Upgrades today, from the audit trail of customer.tier; contract anniversaries from
        // sales contracts and won deals.
        var upgrades: [Int64: String] = [:]
        try store.stream(sql: """
            SELECT record_id, old, new FROM _crm_audit WHERE entity = 'customer' AND field = 'tier' AND at >= ? AND at < ? ORDER BY id
            """, arguments: [.text(start), .text(end)]) { row in
            let id = row.int(0), old = row.text(1)
            if let new = row.text(2), MembershipTiers.move(from: old, to: new) == "up" { upgrades[id] = upgrades[id] ?? old ?? "standard" }
        }
        var contracts: [Int64: [(String, Int)]] = [:]
        // A signed sales contract's anniversary; a won deal's close for deals with no
        // contract (a deal and its contract are one occasion, greeted once).
        try store.stream(sql: """
            SELECT customer, title, signed FROM sales_contract WHERE status IN ('signed', 'completed') AND signed IS NOT NULL
            UNION ALL
            SELECT customer, title, closed FROM deal WHERE stage = 'won' AND closed IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM sales_contract k WHERE k.deal = deal.id AND k.status <> 'cancelled')
            ORDER BY 1
            """) { row in
            guard let d = row.day(2), let years = yearsIfToday(d, today: today) else { return }
            contracts[row.int(0), default: []].append((row.text(1) ?? "", years))
        }
        var out: [CareGreeting] = []
        try store.scan(Query(entity: "customer", order: [SortKey(FieldRef("id"))],
                             fields: ["id", "name", "phone", "birthday", "created", "owner", "tier"])) { row in
            guard case .integer(let id) = row[0] else { return }
            var values = ["name": row[1].displayText, "owner": "", "tier": MembershipTiers.labels[row[6].displayText] ?? ""]
            if case .integer(let o) = row[5] { values["owner"] = owners[o] ?? "" }
            func add(_ occasion: CareOccasion, _ extra: [String: String] = [:]) {
                guard !sent.contains("\(id) \(occasion.rawValue)") else { return }
                let message = CareTemplates.fill(templates[occasion]!, values.merging(extra) { $1 })
                out.append(CareGreeting(customer: id, name: row[1].displayText, phone: row[2].isNull ? nil : row[2].displayText,
                                        occasion: occasion, message: message))
            }
            if case .date(let b) = row[3], let d = DateCodec.days(ofDate: b), yearsIfToday(d, today: today) != nil { add(.birthday) }
            if let created = CareToday.epochSeconds(row[4]),
               let years = yearsIfToday(DateCodec.localDay(epochSeconds: created), today: today) {
                add(.anniversary, ["years": String(years)])
            }
            if let old = upgrades[id] { add(.upgrade, ["old_tier": MembershipTiers.labels[old] ?? old]) }
            for (title, years) in contracts[id] ?? [] { add(.contract, ["years": String(years), "deal": title]) }
        }
        return out
    }
}
