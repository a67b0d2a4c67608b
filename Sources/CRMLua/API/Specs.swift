import CLua
import CRMCore

/// A declaration of a field, a parameter or a setting as a plugin writes it:
/// `price = { "money", min = 0, label = "总价" }` (keyed by name) or
/// `{ "price", "money", min = 0 }` (in a list, which keeps the order).
struct Spec {
    enum Option {
        case text(String)
        case number(String)
        case bool(Bool)
        case list([String])

        var text: String? {
            switch self {
            case .text(let s), .number(let s): return s
            case .bool(let b): return b ? "yes" : "no"
            case .list: return nil
            }
        }
    }

    var name: String
    var type: String?
    var options: [String: Option]

    func text(_ key: String) -> String? { options[key]?.text }
    func flag(_ key: String) -> Bool {
        if case .bool(let b)? = options[key] { return b }
        return false
    }
    func list(_ key: String) -> [String]? {
        if case .list(let l)? = options[key] { return l }
        return nil
    }

    static let typeNames = ["text", "integer", "decimal", "money", "date", "month", "datetime", "bool", "enum", "ref", "reference", "json"]

    /// The field type the spec names; `what` is "field price of unit" for messages.
    func fieldType(_ what: String) throws -> FieldType {
        var typeName = type
        if typeName == nil {
            if options["values"] != nil { typeName = "enum" }
            else if options["entity"] != nil || options["to"] != nil { typeName = "ref" }
            else if case .bool? = options["default"] { typeName = "bool" }
            else if case .number(let n)? = options["default"] { typeName = n.contains(".") ? "decimal" : "integer" }
            else { typeName = "text" }
        }
        switch typeName! {
        case "text": return .text
        case "integer", "int": return .integer
        case "decimal", "number":
            let scale = text("scale").flatMap { Int($0) } ?? 2
            guard (0...9).contains(scale) else { throw LuaArgumentError("\(what): scale must be 0…9") }
            return .decimal(scale: scale)
        case "money": return .money
        case "date": return .date
        case "month": return .month
        case "datetime": return .datetime
        case "bool", "boolean": return .bool
        case "enum":
            guard let values = list("values"), !values.isEmpty else {
                throw LuaArgumentError("\(what): an enum needs values = { \"a\", \"b\", … }")
            }
            return .enumeration(values)
        case "ref", "reference":
            guard let target = text("entity") ?? text("to") else {
                throw LuaArgumentError("\(what): a reference needs entity = \"<entity name>\"")
            }
            return .reference(target)
        case "json": return .json
        default:
            let hint = NameSuggestion.hint(for: typeName!, in: Spec.typeNames)
            throw LuaArgumentError("\(what): unknown type '\(typeName!)'\(hint); the types are: \(Spec.typeNames.joined(separator: ", "))")
        }
    }
}

extension LuaState {
    /// Pushes `t[key]` (raw) for the table at `index` and returns its Lua type.
    @discardableResult
    func rawField(_ key: String, at index: Int32) -> Int32 {
        let i = absolute(index)
        push(key)
        return lua_rawget(L, i)
    }

    /// Reads the specs in the table at `index`: keyed by name, or a list of
    /// `{ name, type, … }` (a list keeps the order; keyed specs come sorted by name).
    func specs(at index: Int32, what: String) throws -> [Spec] {
        let t = absolute(index)
        var out: [Spec] = []
        let n = length(at: t)
        if n > 0 {
            for i in 0..<n {
                pushElement(i + 1, of: t)
                defer { crm_lua_pop(L, 1) }
                guard lua_type(L, -1) == LUA_TTABLE else {
                    throw LuaArgumentError("\(what) #\(i + 1): expected { \"name\", \"type\", … }")
                }
                pushElement(1, of: -1)
                let name = string(at: -1)
                crm_lua_pop(L, 1)
                guard let name else { throw LuaArgumentError("\(what) #\(i + 1): the first item must be the name") }
                out.append(try spec(at: -1, name: name, positionalType: 2, what: "\(what) \(name)"))
            }
            return out
        }
        var failure: Error?
        forEachPair(at: t) {
            guard failure == nil else { return }
            guard lua_type(L, -2) == LUA_TSTRING, let name = string(at: -2) else {
                failure = LuaArgumentError("\(what)s are keyed by name (a string)")
                return
            }
            do {
                if lua_type(L, -1) == LUA_TSTRING {
                    out.append(Spec(name: name, type: string(at: -1), options: [:]))
                } else {
                    out.append(try spec(at: -1, name: name, positionalType: 1, what: "\(what) \(name)"))
                }
            } catch { failure = error }
        }
        if let failure { throw failure }
        return out.sorted { $0.name < $1.name }
    }

    private func spec(at index: Int32, name: String, positionalType: Int, what: String) throws -> Spec {
        let t = absolute(index)
        guard lua_type(L, t) == LUA_TTABLE else { throw LuaArgumentError("\(what): expected a table like { \"text\", required = true }") }
        var spec = Spec(name: name, type: nil, options: [:])
        pushElement(positionalType, of: t)
        spec.type = string(at: -1)
        crm_lua_pop(L, 1)
        var failure: Error?
        forEachPair(at: t) {
            guard failure == nil, lua_type(L, -2) == LUA_TSTRING, let key = string(at: -2) else { return }
            switch lua_type(L, -1) {
            case LUA_TSTRING: spec.options[key] = .text(string(at: -1) ?? "")
            case LUA_TNUMBER: spec.options[key] = .number(string(at: -1) ?? "0")
            case LUA_TBOOLEAN: spec.options[key] = .bool(lua_toboolean(L, -1) != 0)
            case LUA_TTABLE:
                var items: [String] = []
                for i in 0..<length(at: -1) {
                    pushElement(i + 1, of: -1)
                    if let s = string(at: -1) { items.append(s) }
                    crm_lua_pop(L, 1)
                }
                spec.options[key] = .list(items)
            case LUA_TFUNCTION where key == "compute":
                break  // a computed field's function (read by PluginHost.readComputed)
            default:
                failure = LuaArgumentError("\(what): option \(key) has an unusable value")
            }
        }
        if let failure { throw failure }
        if spec.type == nil, let t = spec.text("type") { spec.type = t }
        return spec
    }
}

extension FieldDefinition {
    init(spec: Spec, entity: String) throws {
        let type = try spec.fieldType("field \(spec.name) of \(entity)")
        self.init(spec.name, type, label: spec.text("label"), required: spec.flag("required"), unique: spec.flag("unique"),
                  defaultText: spec.options["default"]?.text, min: spec.text("min"), max: spec.text("max"),
                  pattern: spec.text("pattern"), maxLength: spec.text("max_length").flatMap { Int($0) },
                  help: spec.text("help"), isPrivate: spec.flag("private"))
    }
}

extension ParameterDefinition {
    init(spec: Spec, owner: String) throws {
        self.init(name: spec.name, type: try spec.fieldType("parameter \(spec.name) of \(owner)"),
                  defaultText: spec.options["default"]?.text, required: spec.flag("required"), label: spec.text("label"))
    }
}

extension SettingDefinition {
    init(spec: Spec) throws {
        self.init(name: spec.name, type: try spec.fieldType("setting \(spec.name)"),
                  defaultText: spec.options["default"]?.text, label: spec.text("label"))
    }
}
