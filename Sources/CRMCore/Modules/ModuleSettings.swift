/// Typed readers of the core modules' settings (`tiers.gold`, `health.untouched_days`),
/// which are registered in `CoreSettings`.
public enum ModuleSettings {
    /// A module setting's value, typed: the stored one, else the default.
    public static func value(_ store: CRMStore, _ owner: String, _ name: String) throws -> Value {
        try CoreSettings.value(store, owner: owner, name: name)
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
