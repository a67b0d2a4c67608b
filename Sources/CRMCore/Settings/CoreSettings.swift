/// The settings of the core (the analyses, the modules), by owner: `setting sla.start 9`
/// shows and sets them like a plugin's, stored per database as `setting.<owner>.<name>`.
public enum CoreSettings {
    /// Each core owner and its settings, in the order `setting` lists them.
    public static let owners: [(owner: String, definitions: [AnalyticsSettings.Definition])] = [
        ("analytics", AnalyticsSettings.definitions),
        ("sla", ServiceLevelSettings.definitions),
        (SalesSettings.owner, SalesSettings.definitions),
        ("tiers", TierSettings.definitions),
        ("health", HealthSettings.definitions),
    ]

    /// The settings of a core owner, or nil when the core has no such owner.
    public static func definitions(owner: String) -> [AnalyticsSettings.Definition]? {
        owners.first { $0.owner == owner }?.definitions
    }

    /// A setting's value typed by its definition: the stored text, else the default.
    public static func value(_ store: CRMStore, owner: String, name: String) throws -> Value {
        guard let def = definitions(owner: owner)?.first(where: { $0.name == name }) else {
            throw CoreSettingError("the core has no setting \(owner).\(name)")
        }
        let text = try store.meta("setting.\(owner).\(name)") ?? def.defaultText
        do { return try ValueParser(clock: store.clock).parse(text, as: def.type) } catch {
            throw CoreSettingError("setting \(owner).\(name): '\(text)' is not \(def.type.expectation)")
        }
    }
}

/// A core setting that cannot be used as it is (`setting sla.days: 'funday' is not a day of the week`).
public struct CoreSettingError: Error, CustomStringConvertible {
    public var description: String
    public init(_ message: String) { description = message }
}
