/// The sales modules' settings, `quotes.<name>` (`setting quotes.tax_rate 6`).
public enum SalesSettings {
    public static let owner = "quotes"

    public static let definitions: [AnalyticsSettings.Definition] = [
        .init(name: "tax_rate", type: .decimal(scale: 2), defaultText: "13",
              label: "quotes: the tax rate (%) a new quote takes; each quote keeps the rate it was made with"),
    ]

    /// The tax rate a new quote takes.
    public static func taxRate(_ store: CRMStore) throws -> Fixed {
        let text = try store.meta("setting.\(owner).tax_rate") ?? definitions[0].defaultText
        guard case .decimal(let f) = try ValueParser(clock: store.clock).parse(text, as: .decimal(scale: 2)) else {
            return Fixed(units: 1300, scale: 2)
        }
        return f
    }
}
