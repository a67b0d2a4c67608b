/// The thresholds of the customer analyses, settable per database as `analytics.<name>`
/// (`setting analytics.abc_a 70`); each has a default that follows the seeds.
public struct AnalyticsSettings: Sendable, Equatable {
    /// One setting: its name, type, default and what it means.
    public struct Definition: Sendable {
        public var name: String
        public var type: FieldType
        public var defaultText: String
        public var label: String
    }

    public static let definitions: [Definition] = [
        Definition(name: "abc_a", type: .decimal(scale: 2), defaultText: "80",
                   label: "ABC: class A is the customers making the first this % of value"),
        Definition(name: "abc_b", type: .decimal(scale: 2), defaultText: "95",
                   label: "ABC: class B reaches up to this % of value; C is the rest"),
        Definition(name: "lifecycle_silence", type: .decimal(scale: 2), defaultText: "3",
                   label: "lifecycle: termination when silent for this many times the customer's own mean interval"),
        Definition(name: "lifecycle_single_days", type: .integer, defaultText: "365",
                   label: "lifecycle: a one-purchase customer silent this many days is in termination"),
        Definition(name: "lifecycle_growth_ratio", type: .decimal(scale: 2), defaultText: "0.8",
                   label: "lifecycle: growth when the latest interval is under this share of the earlier mean"),
        Definition(name: "lifecycle_mature_purchases", type: .integer, defaultText: "4",
                   label: "lifecycle: purchase days before a steady customer counts as mature"),
        Definition(name: "churn_recency", type: .decimal(scale: 2), defaultText: "2",
                   label: "churn risk: silent for this many times the customer's own mean interval"),
        Definition(name: "churn_window_days", type: .integer, defaultText: "180",
                   label: "churn risk: the recent window whose purchases are compared with the customer's own rate before"),
        Definition(name: "churn_drop", type: .decimal(scale: 2), defaultText: "0.5",
                   label: "churn risk: recent purchases under this share of the customer's own earlier rate"),
        Definition(name: "loyal_purchases", type: .integer, defaultText: "3",
                   label: "loyalty: a loyal customer has at least this many purchase days …"),
        Definition(name: "loyal_months", type: .integer, defaultText: "12",
                   label: "loyalty: … within this many months"),
        Definition(name: "satisfaction_expectation", type: .decimal(scale: 2), defaultText: "4",
                   label: "satisfaction: the expectation (1–5) tickets' satisfaction is measured against"),
        Definition(name: "agenda_days", type: .integer, defaultText: "7",
                   label: "agenda: birthdays and anniversaries this many days ahead"),
        Definition(name: "agenda_ticket_days", type: .integer, defaultText: "2",
                   label: "agenda: an open ticket is past due this many days after it was opened"),
    ]

    public var abcA = 80.0, abcB = 95.0
    public var lifecycleSilence = 3.0
    public var lifecycleSingleDays = 365
    public var lifecycleGrowthRatio = 0.8
    public var lifecycleMaturePurchases = 4
    public var churnRecency = 2.0
    public var churnWindowDays = 180
    public var churnDrop = 0.5
    public var loyalPurchases = 3
    public var loyalMonths = 12
    public var satisfactionExpectation = 4.0
    public var agendaDays = 7
    public var agendaTicketDays = 2

    public init() {}

    /// The settings stored in this database, defaults for the rest.
    public init(store: CRMStore) throws {
        let parser = ValueParser(clock: store.clock)
        func number(_ name: String) throws -> Double? {
            guard let def = AnalyticsSettings.definitions.first(where: { $0.name == name }),
                  let text = try store.meta("setting.analytics.\(name)") else { return nil }
            switch try parser.parse(text, as: def.type) {
            case .integer(let i): return Double(i)
            case .decimal(let f): return Fixed.double(f.units, scale: f.scale)
            default: return nil
            }
        }
        abcA = try number("abc_a") ?? abcA
        abcB = try number("abc_b") ?? abcB
        lifecycleSilence = try number("lifecycle_silence") ?? lifecycleSilence
        lifecycleSingleDays = try number("lifecycle_single_days").map { Int($0) } ?? lifecycleSingleDays
        lifecycleGrowthRatio = try number("lifecycle_growth_ratio") ?? lifecycleGrowthRatio
        lifecycleMaturePurchases = try number("lifecycle_mature_purchases").map { Int($0) } ?? lifecycleMaturePurchases
        churnRecency = try number("churn_recency") ?? churnRecency
        churnWindowDays = try number("churn_window_days").map { Int($0) } ?? churnWindowDays
        churnDrop = try number("churn_drop") ?? churnDrop
        loyalPurchases = try number("loyal_purchases").map { Int($0) } ?? loyalPurchases
        loyalMonths = try number("loyal_months").map { Int($0) } ?? loyalMonths
        satisfactionExpectation = try number("satisfaction_expectation") ?? satisfactionExpectation
        agendaDays = try number("agenda_days").map { Int($0) } ?? agendaDays
        agendaTicketDays = try number("agenda_ticket_days").map { Int($0) } ?? agendaTicketDays
        guard abcA > 0, abcA <= abcB, abcB <= 100 else {
            throw ValueSourceError("settings analytics.abc_a (\(abcA)) and analytics.abc_b (\(abcB)) must satisfy 0 < abc_a ≤ abc_b ≤ 100")
        }
    }
}
