/// The settings of the `health` report.
public enum HealthSettings {
    public static let definitions: [AnalyticsSettings.Definition] = [
        .init(name: "untouched_days", type: .integer, defaultText: "90",
              label: "health: a customer with no interaction for this many days is untouched"),
        .init(name: "weeks", type: .integer, defaultText: "4", label: "health: weeks of activity shown per user"),
    ]
}

/// Whether the team uses the CRM (seed 004): data completeness per owner, activity logged
/// per user per week, customers untouched for N days, duplicates found.
public struct HealthReport {
    public var completeness: ResultTable
    public var activity: ResultTable
    public var untouched: ResultTable
    public var untouchedOldest: ResultTable
    public var duplicates: ResultTable
    public var customers: Int
    public var untouchedDays: Int
    public var weeks: Int

    /// The report on the store's today; nil arguments take the settings.
    public static func run(_ store: CRMStore, untouchedDays: Int? = nil, weeks: Int? = nil, limit: Int = 20) throws -> HealthReport {
        let days = try untouchedDays ?? ModuleSettings.integer(store, "health", "untouched_days")
        let weeks = max(1, min(52, try weeks ?? ModuleSettings.integer(store, "health", "weeks")))
        let today = store.clock.today
        let since = DateCodec.utcText(epochSeconds: DateCodec.localMidnight(days: today - days + 1))
        // Monday of this week (day 0, 1970-01-01, was a Thursday), and the first week shown.
        let monday = today - ((today + 3) % 7 + 7) % 7
        let firstWeek = monday - 7 * (weeks - 1)
        var users: [Int64: String] = [:]
        try store.scan(Query(entity: "user", fields: ["id", "name"])) { r in
            if case .integer(let id) = r[0] { users[id] = r[1].displayText }
        }
        func userName(_ id: Int64?) -> Value { id.map { .text("\($0) \(users[$0] ?? "?")") } ?? .text("(no owner)") }
        var customers = 0
        // Plain SQL both stores run (docs/postgresql.md), read through `select`, which
        // applies the caller's access policy as every report read does.
        func int(_ v: Value) -> Int64? {
            switch v {
            case .integer(let i): return i
            case .decimal(let f): return f.units / Fixed.power(f.scale)
            default: return nil
            }
        }
        func text(_ v: Value) -> String? {
            switch v {
            case .text(let s), .datetime(let s), .date(let s): return s
            default: return nil
            }
        }
        var completeness: [[Value]] = []
        for r in try store.select(sql: """
            SELECT owner, count(*),
                   sum(CASE WHEN phone IS NULL OR phone = '' THEN 1 ELSE 0 END),
                   sum(CASE WHEN stage IS NULL THEN 1 ELSE 0 END),
                   sum(CASE WHEN NOT EXISTS (SELECT 1 FROM interaction i WHERE i.customer = c.id) THEN 1 ELSE 0 END)
            FROM customer c GROUP BY owner ORDER BY owner IS NULL, owner
            """, arguments: []).rows {
            let n = Int(int(r[1]) ?? 0)
            customers += n
            let counts = [r[2], r[3], r[4]].map { Int(int($0) ?? 0) }
            completeness.append([userName(int(r[0])), .integer(Int64(n))] + counts.flatMap { k in
                [.integer(Int64(k)), Value.decimal(Fixed(units: n == 0 ? 0 : Int64((Double(k) * 1000 / Double(n)).rounded()), scale: 1))]
            })
        }
        let lastSQL = "SELECT c.id, c.name, c.owner, (SELECT max(at) FROM interaction i WHERE i.customer = c.id) AS last FROM customer c"
        var perOwner: [Int64?: Int] = [:]
        var old: [(Int64, String, Int64?, String?)] = []
        for r in try store.select(sql: "SELECT id, name, owner, last FROM (\(lastSQL)) AS t WHERE last IS NULL OR last < ?",
                                  arguments: [.datetime(since)]).rows {
            let owner = int(r[2])
            perOwner[owner, default: 0] += 1
            old.append((int(r[0]) ?? 0, text(r[1]) ?? "", owner, text(r[3])))
        }
        old.sort { ($0.3 ?? "", $0.0) < ($1.3 ?? "", $1.0) }
        let untouched = perOwner.sorted { ($0.key ?? Int64.max) < ($1.key ?? Int64.max) }.map { [userName($0.key), Value.integer(Int64($0.value))] }
        let oldest = old.prefix(limit).map { c -> [Value] in
            [.integer(c.0), .text(c.1), c.2.map { userName($0) } ?? .null,
             c.3.map { Value.datetime($0) } ?? .null,
             c.3.flatMap(DateCodec.epochSeconds(utc:)).map { Value.integer(Int64(today - DateCodec.localDay(epochSeconds: $0))) } ?? .null]
        }
        // Activity: interactions logged per user per week.
        var perUser: [Int64?: [Int]] = [:]
        for r in try store.select(sql: "SELECT \"by\", at FROM interaction WHERE at >= ?",
                                  arguments: [.datetime(DateCodec.utcText(epochSeconds: DateCodec.localMidnight(days: firstWeek)))]).rows {
            guard let at = text(r[1]), let t = DateCodec.epochSeconds(utc: at) else { continue }
            let w = (DateCodec.localDay(epochSeconds: t) - firstWeek) / 7
            guard (0..<weeks).contains(w) else { continue }
            perUser[int(r[0]), default: Array(repeating: 0, count: weeks)][w] += 1
        }
        for id in users.keys where perUser[id] == nil { perUser[id] = Array(repeating: 0, count: weeks) }
        let activity = perUser.sorted { ($0.key ?? Int64.max) < ($1.key ?? Int64.max) }.map { entry -> [Value] in
            [entry.key.map { .text("\($0) \(users[$0] ?? "?")") } ?? .text("(nobody)")]
                + entry.value.map { Value.integer(Int64($0)) } + [.integer(Int64(entry.value.reduce(0, +)))]
        }
        let share = { (name: String, label: String) in [Column(name, numeric: true), Column(name + "_pct", label: label + " %", numeric: true)] }
        let pairs = try Duplicates.find(store)
        var byReason: [DuplicateReason: Int] = [:]
        for p in pairs { for r in p.reasons { byReason[r, default: 0] += 1 } }
        let dupRows: [[Value]] = DuplicateReason.allCases.map { [.text($0.rawValue), .integer(Int64(byReason[$0] ?? 0))] }
            + [[.text("pairs in all"), .integer(Int64(pairs.count))]]
        return HealthReport(
            completeness: ResultTable(title: "Data completeness per owner",
                                      columns: [Column("owner"), Column("customers", numeric: true)] + share("no_phone", "no phone")
                                        + share("no_stage", "no stage") + share("no_interaction", "no interaction"),
                                      rows: completeness),
            activity: ResultTable(title: "Interactions logged per user per week (weeks from Monday)",
                                  columns: [Column("user")] + (0..<weeks).map { Column("w" + DateCodec.dateText(days: firstWeek + 7 * $0).dropFirst(5).replacingOccurrences(of: "-", with: ""), label: DateCodec.dateText(days: firstWeek + 7 * $0), numeric: true) }
                                    + [Column("total", numeric: true)],
                                  rows: activity),
            untouched: ResultTable(title: "Customers untouched for \(days) days (no interaction since \(DateCodec.dateText(days: today - days + 1)))",
                                   columns: [Column("owner"), Column("untouched", numeric: true)], rows: untouched),
            untouchedOldest: ResultTable(title: "Longest untouched (first \(limit))",
                                         columns: [Column("id", numeric: true), Column("name"), Column("owner"), Column("last_interaction"),
                                                   Column("days", numeric: true)],
                                         rows: oldest),
            duplicates: ResultTable(title: "Likely duplicates (dupes customer)",
                                    columns: [Column("reason"), Column("pairs", numeric: true)], rows: dupRows),
            customers: customers, untouchedDays: days, weeks: weeks)
    }
}
