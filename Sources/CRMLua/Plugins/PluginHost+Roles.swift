import CLua
import CRMCore

/// `crm.role`: a plugin's own role (a credit officer, a dispatcher), checked against the
/// schema when declared and handed to the store's policy once the plugin has loaded.
extension PluginHost {
    func registerRoles(into add: (String, @escaping LuaState.HostFunction) -> Void) {
        add("define_role") { [unowned self] l in
            let plugin = try l.argString(1, "crm.role"), name = try l.argString(2, "crm.role")
            let definition = try self.readRole(l, plugin: plugin, name: name, at: 3, location: l.string(at: 4) ?? "?")
            self.register { $0.roles.append(definition) } direct: { self.roles.append(definition) }
            if self.loadingPlugin == nil { try self.declareRoles() }
            return 0
        }
    }

    /// Hands the loaded plugins' roles to the store's policy.
    func declareRoles() throws {
        try (store as? AccessControlled)?.declareRoles(roles.map(\.role))
    }

    static let rightSets: [String: Set<AccessRight>] = [
        "all": Set(AccessRight.allCases), "change": [.read, .create, .update, .delete], "none": [],
    ]

    func readRole(_ l: LuaState, plugin: String, name: String, at index: Int32, location: String) throws -> RoleDefinition {
        let what = "crm.role \"\(name)\""
        guard name.range(of: "^[a-z][a-z0-9_]*$", options: .regularExpression) != nil else {
            throw LuaArgumentError("\(what): a role name is lowercase letters, digits and _")
        }
        if Role.core.contains(where: { $0.name == name }) || name == "none" {
            throw LuaArgumentError("\(what): '\(name)' is a core role; a plugin cannot redefine it (name yours, e.g. \(plugin)_\(name))")
        }
        if let other = (roles + pending.roles).first(where: { $0.role.name == name }) {
            throw LuaArgumentError("\(what): the role '\(name)' is already declared by plugin \(other.plugin) (\(other.location)); two plugins cannot declare the same role")
        }
        try l.forEachPair(at: index) {
            // Only string keys are read as text: converting another key would upset lua_next.
            let key = l.type(at: -2) == LUA_TSTRING ? l.string(at: -2) : nil
            guard let key, ["name", "summary", "label", "sees", "private", "rights"].contains(key) else {
                throw LuaArgumentError("\(what): unknown key '\(key ?? "(not a name)")'; a role has summary, sees, private and rights")
            }
        }
        let scopeText = l.stringField("sees", at: index) ?? "own"
        guard let scope = AccessScope(rawValue: scopeText) else {
            throw LuaArgumentError("\(what): sees = \"\(scopeText)\": use own, team or all")
        }
        var privateFields = Role.PrivateVisibility.own
        var unmasked: Set<String> = []
        switch l.rawField("private", at: index) {
        case LUA_TNIL: crm_lua_pop(l.L, 1)
        case LUA_TSTRING:
            let text = l.string(at: -1)!
            crm_lua_pop(l.L, 1)
            guard let v = Role.PrivateVisibility(rawValue: text) else {
                throw LuaArgumentError("\(what): private = \"\(text)\": use all, own, none or a list of fields like { \"customer.phone\" }")
            }
            privateFields = v
        case LUA_TTABLE:
            defer { crm_lua_pop(l.L, 1) }
            privateFields = .none
            for i in 0..<l.length(at: -1) {
                l.pushElement(i + 1, of: -1)
                defer { crm_lua_pop(l.L, 1) }
                guard let text = l.type(at: -1) == LUA_TSTRING ? l.string(at: -1) : nil else {
                    throw LuaArgumentError("\(what): private = { \"entity.field\", … } lists private fields by name")
                }
                unmasked.insert(try privateField(text, what: what))
            }
        default:
            crm_lua_pop(l.L, 1)
            throw LuaArgumentError("\(what): private is all, own, none or a list of fields like { \"customer.phone\" }")
        }
        var rights: [String: Set<AccessRight>] = [:]
        if l.rawField("rights", at: index) == LUA_TTABLE {
            defer { crm_lua_pop(l.L, 1) }
            try l.forEachPair(at: -1) {
                guard l.type(at: -2) == LUA_TSTRING, let entity = l.string(at: -2) else {
                    throw LuaArgumentError("\(what): rights = { entity = { \"read\", … } } are keyed by entity name (or \"*\")")
                }
                if entity != "*" { try requireEntity(entity, what: what) }
                rights[entity] = try rightSet(l, what: "\(what): rights.\(entity == "*" ? "[\"*\"]" : entity)")
            }
        } else {
            crm_lua_pop(l.L, 1)
            throw LuaArgumentError("\(what): rights = { [\"*\"] = { \"read\" }, loan = \"change\", … } is required")
        }
        let summary = l.stringField("summary", at: index) ?? l.stringField("label", at: index) ?? name
        let role = Role(name: name, summary: summary, scope: scope, privateFields: privateFields, rights: rights,
                        unmasked: unmasked, owner: plugin)
        return RoleDefinition(plugin: plugin, location: location, role: role)
    }

    /// The rights at the top of the stack: a list of right names, or all, change, read, none.
    func rightSet(_ l: LuaState, what: String) throws -> Set<AccessRight> {
        let names = AccessRight.allCases.map(\.rawValue)
        func right(_ text: String) throws -> Set<AccessRight> {
            if let r = AccessRight(rawValue: text) { return [r] }
            if let set = PluginHost.rightSets[text] { return set }
            throw LuaArgumentError("\(what): unknown right '\(text)'\(NameSuggestion.hint(for: text, in: names + ["all", "change", "none"])); "
                                   + "rights: \(names.joined(separator: ", ")) (or all, change, none)")
        }
        switch l.type(at: -1) {
        case LUA_TSTRING: return try right(l.string(at: -1)!)
        case LUA_TTABLE:
            var out: Set<AccessRight> = []
            for i in 0..<l.length(at: -1) {
                l.pushElement(i + 1, of: -1)
                defer { crm_lua_pop(l.L, 1) }
                guard let text = l.type(at: -1) == LUA_TSTRING ? l.string(at: -1) : nil else {
                    throw LuaArgumentError("\(what): a list of rights like { \"read\", \"update\" }")
                }
                out.formUnion(try right(text))
            }
            return out
        default:
            throw LuaArgumentError("\(what): a list of rights like { \"read\", \"update\" }, or all, change, none")
        }
    }

    /// An entity the plugin may name: in the schema, or declared by the plugin loading.
    func requireEntity(_ name: String, what: String) throws {
        guard store.schema.entity(named: name) == nil, !pending.entities.contains(where: { $0.name == name }) else { return }
        let names = store.schema.entities.map(\.name) + pending.entities.map(\.name)
        throw LuaArgumentError("\(what): unknown entity '\(name)'\(NameSuggestion.hint(for: name, in: names))")
    }

    /// `entity.field`, checked to be a private field of a known entity (or of fields the
    /// plugin loading adds to one).
    func privateField(_ text: String, what: String) throws -> String {
        let parts = text.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else {
            throw LuaArgumentError("\(what): private field '\(text)': name it as entity.field, e.g. customer.phone")
        }
        try requireEntity(parts[0], what: what)
        let fields = (store.schema.entity(named: parts[0])?.fields ?? [])
            + pending.entities.filter { $0.name == parts[0] }.flatMap(\.fields)
            + pending.extensions.filter { $0.entity == parts[0] }.flatMap(\.fields)
        guard let f = fields.first(where: { $0.name == parts[1] }) else {
            throw LuaArgumentError("\(what): \(parts[0]) has no field '\(parts[1])'\(NameSuggestion.hint(for: parts[1], in: fields.map(\.name)))")
        }
        guard f.isPrivate else {
            throw LuaArgumentError("\(what): \(text) is not a private field (only fields declared private = true are masked)")
        }
        return text
    }
}
