/// The settings of the core modules (`tiers.gold`, `care.…`, `health.untouched_days`),
/// stored per database as `setting.<module>.<name>` like the analytics settings and shown
/// and changed with the `setting` verb.
public enum ModuleSettings {
    /// Each module's settings by its namespace.
    public static let all: [String: [AnalyticsSettings.Definition]] = [
        "tiers": TierSettings.definitions,
        "health": HealthSettings.definitions,
    ]

    /// The namespaces, in the order `setting` lists them.
    public static var owners: [String] { all.keys.sorted() }

    /// A module setting's value, typed: the stored one, else the default.
    public static func value(_ store: CRMStore, _ owner: String, _ name: String) throws -> Value {
        guard let def = all[owner]?.first(where: { $0.name == name }) else {
            throw ValueSourceError("\(owner) has no setting '\(name)'")
        }
        let text = try store.meta("setting.\(owner).\(name)") ?? def.defaultText
        do { return try ValueParser(clock: store.clock).parse(text, as: def.type) } catch {
            throw ValueSourceError("setting \(owner).\(name) = '\(text)' is not \(def.type.expectation)")
        }
    }

    /// A setting as a whole number.
    public static func integer(_ store: CRMStore, _ owner: String, _ name: String) throws -> Int {
        switch try value(store, owner, name) {
        case .integer(let i): return Int(i)
        case .decimal(let f): return Int(f.units / Fixed.power(f.scale))
        default: throw ValueSourceError("setting \(owner).\(name) is not a number")
        }
    }

    /// A setting as money at `scale` (2: cents).
    public static func money(_ store: CRMStore, _ owner: String, _ name: String, scale: Int) throws -> Fixed {
        switch try value(store, owner, name) {
        case .integer(let i): return Fixed(units: i * Fixed.power(scale), scale: scale)
        case .decimal(let f):
            guard let r = f.rescaled(to: scale) else { throw ValueSourceError("setting \(owner).\(name) has more than \(scale) decimals") }
            return r
        default: throw ValueSourceError("setting \(owner).\(name) is not an amount")
        }
    }
}
