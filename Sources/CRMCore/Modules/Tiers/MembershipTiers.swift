/// Membership tiers (seed 002: 普通 / 银卡 / 金卡 / VIP) by a customer's value over the
/// last months, thresholds as settings (`setting tiers.gold 50000`).
public enum MembershipTiers {
    /// The tiers from lowest to highest, as stored in `customer.tier`.
    public static let names = ["standard", "silver", "gold", "vip"]
    /// The names the business uses, for messages (`{tier}` in a care template).
    public static let labels = ["standard": "普通", "silver": "银卡", "gold": "金卡", "vip": "VIP"]

    /// 0 for standard … 3 for vip; -1 for none.
    public static func rank(_ tier: String?) -> Int { tier.flatMap { names.firstIndex(of: $0) } ?? -1 }

    /// `up`, `down`, or `set` for a first tier of standard. A customer without a tier yet
    /// counts as standard, so a first tier above it is an upgrade (and greeted as one).
    public static func move(from: String?, to: String) -> String {
        let a = max(rank(from), 0), b = rank(to)
        return b > a ? "up" : b < a ? "down" : "set"
    }

    /// `52,300.00`: money with its thousands grouped, as reasons show it.
    public static func grouped(_ f: Fixed) -> String {
        let text = f.description
        let negative = text.hasPrefix("-")
        let body = negative ? String(text.dropFirst()) : text
        let parts = body.split(separator: ".", maxSplits: 1)
        var whole = Array(parts[0])
        var out: [Character] = []
        while whole.count > 3 {
            out = [","] + whole.suffix(3) + out
            whole.removeLast(3)
        }
        out = whole + out
        return (negative ? "-" : "") + String(out) + (parts.count > 1 ? "." + parts[1] : "")
    }
}

/// The tier thresholds: the least value over the window for each tier above standard.
public struct TierSettings: Sendable, Equatable {
    public static let definitions: [AnalyticsSettings.Definition] = [
        .init(name: "silver", type: .money, defaultText: "10000", label: "tiers: 银卡 from this value over the window"),
        .init(name: "gold", type: .money, defaultText: "50000", label: "tiers: 金卡 from this value over the window"),
        .init(name: "vip", type: .money, defaultText: "200000", label: "tiers: VIP from this value over the window"),
        .init(name: "months", type: .integer, defaultText: "12", label: "tiers: the window, in months up to today"),
    ]

    /// Thresholds of silver, gold and vip, at the purchases' scale.
    public var thresholds: [Fixed]
    public var months: Int

    public init(thresholds: [Fixed], months: Int) {
        self.thresholds = thresholds
        self.months = months
    }

    /// The settings of this database at a money scale; refused unless silver ≤ gold ≤ vip.
    public init(store: CRMStore, scale: Int) throws {
        thresholds = try ["silver", "gold", "vip"].map { try ModuleSettings.money(store, "tiers", $0, scale: scale) }
        months = try ModuleSettings.integer(store, "tiers", "months")
        guard thresholds[0] <= thresholds[1], thresholds[1] <= thresholds[2], thresholds[0].units > 0 else {
            throw ValueSourceError("settings tiers.silver (\(thresholds[0])), tiers.gold (\(thresholds[1])) and tiers.vip (\(thresholds[2])) must satisfy 0 < silver ≤ gold ≤ vip")
        }
        guard (1...120).contains(months) else {
            throw ValueSourceError("setting tiers.months (\(months)) must be 1…120")
        }
    }

    /// The first day of the window ending `today`: the day after the same date `months`
    /// earlier (today 2026-12-01, 12 months: 2025-12-02 … 2026-12-01), so a purchase of
    /// 2025-12-01 left the window yesterday. A date missing in the earlier month (31st,
    /// Feb 29) takes that month's last day.
    public func windowStart(today: Int) -> Int {
        let c = DateCodec.civilFromDays(today)
        var y = c.year, m = c.month - months
        while m < 1 { m += 12; y -= 1 }
        let nextMonth = m == 12 ? DateCodec.daysFromCivil(y + 1, 1, 1) : DateCodec.daysFromCivil(y, m + 1, 1)
        let length = nextMonth - DateCodec.daysFromCivil(y, m, 1)
        return DateCodec.daysFromCivil(y, m, min(c.day, length)) + 1
    }

    /// The tier a value earns, and why in one line (`12-month value 52,300.00 ≥ gold 50,000.00`).
    public func tier(for value: Fixed) -> (tier: String, reason: String) {
        let v = "\(months)-month value \(MembershipTiers.grouped(value))"
        for i in stride(from: 2, through: 0, by: -1) where value >= thresholds[i] {
            let name = MembershipTiers.names[i + 1]
            return (name, "\(v) ≥ \(name) \(MembershipTiers.grouped(thresholds[i]))")
        }
        return ("standard", "\(v) < silver \(MembershipTiers.grouped(thresholds[0]))")
    }
}

/// One customer whose tier changes.
public struct TierChange: Sendable, Equatable {
    public var customer: Int64
    public var name: String
    public var from: String?
    public var to: String
    public var value: Fixed
    public var reason: String
}

/// Recomputes every customer's tier from the value sources (won deals when none is declared).
public enum TierRecompute {
    /// The changes a recompute makes today, by customer id; with `apply` they are written
    /// (audited, the history naming `tiers recompute: <reason>`), all or nothing.
    public static func run(_ store: CRMStore, sources: [ValueSource], apply: Bool) throws -> (changes: [TierChange], settings: TierSettings, customers: Int) {
        let purchases = try Purchases(store: store, sources: sources)
        let settings = try TierSettings(store: store, scale: purchases.scale)
        let today = store.clock.today
        var totals: [Int64: Int64] = [:]
        try purchases.totals(Purchases.Period(from: settings.windowStart(today: today), to: today)) { totals[$0] = $1 }
        var changes: [TierChange] = []
        var customers = 0
        try store.scan(Query(entity: "customer", order: [SortKey(FieldRef("id"))], fields: ["id", "name", "tier"])) { row in
            guard case .integer(let id) = row[0] else { return }
            customers += 1
            let current: String? = row[2].isNull ? nil : row[2].displayText
            let value = Fixed(units: totals[id] ?? 0, scale: purchases.scale)
            let (tier, reason) = settings.tier(for: value)
            if tier != current {
                changes.append(TierChange(customer: id, name: row[1].displayText, from: current, to: tier, value: value, reason: reason))
            }
        }
        if apply, !changes.isEmpty {
            let via = store.via
            defer { store.via = via }
            try store.atomically {
                for c in changes {
                    store.via = "tiers recompute (\(MembershipTiers.move(from: c.from, to: c.to))): \(c.reason)"
                    try store.update("customer", id: c.customer, values: ["tier": .text(c.to)])
                }
            }
        }
        return (changes, settings, customers)
    }
}
