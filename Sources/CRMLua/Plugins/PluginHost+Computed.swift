import CLua
import CRMCore
import Foundation

/// Computed fields: reading `compute = { … }` and `rollup = { … }` on field declarations,
/// checking them as a whole when a plugin loads, and calling compute functions for the
/// store (inside the write's transaction, within the plugin's budget).
extension PluginHost {
    public var computedFields: ComputeGraph? { computeGraph.isEmpty ? nil : computeGraph }

    /// Reads the computed fields among the field declarations in the table at `fieldsAt`,
    /// marks them in `fields` (the schema then refuses values for them) and keeps them for
    /// the plugin being loaded.
    func readComputed(_ l: LuaState, fieldsAt: Int32, entity: String, plugin: String, location: String,
                      fields: inout [FieldDefinition]) throws {
        let t = l.absolute(fieldsAt)
        for i in fields.indices {
            let name = fields[i].name
            guard pushFieldTable(l, name: name, in: t) else { continue }
            defer { crm_lua_pop(l.L, 1) }
            let at = l.absolute(-1)
            let what = "field \(name) of \(entity)"
            var declared: ComputedField?
            let computeType = l.rawField("compute", at: at)
            defer { crm_lua_pop(l.L, 1) }
            let rollupType = l.rawField("rollup", at: at)
            defer { crm_lua_pop(l.L, 1) }
            if computeType != LUA_TNIL && rollupType != LUA_TNIL {
                throw LuaArgumentError("\(what): give compute or rollup, not both")
            }
            if computeType != LUA_TNIL {
                declared = try computeDeclaration(l, at: l.absolute(-2), entity: entity, field: name, plugin: plugin, what: what)
            } else if rollupType != LUA_TNIL {
                declared = try rollupDeclaration(l, at: l.absolute(-1), entity: entity, field: name, plugin: plugin,
                                                 location: location, what: what)
            }
            guard let declared else { continue }
            if fields[i].defaultText != nil { throw LuaArgumentError("\(what): a computed field has no default (the system sets it)") }
            fields[i].computed = declared.summary
            // (From a script or the prompt, checked once the entity is installed.)
            pendingComputed.append(declared)
        }
    }

    /// Pushes the declaration table of a field (list or keyed form); false when there is none.
    func pushFieldTable(_ l: LuaState, name: String, in t: Int32) -> Bool {
        let n = l.length(at: t)
        if n > 0 {
            for i in 0..<n {
                l.pushElement(i + 1, of: t)
                if l.type(at: -1) == LUA_TTABLE {
                    l.pushElement(1, of: -1)
                    let first = l.string(at: -1)
                    crm_lua_pop(l.L, 1)
                    if first == name { return true }
                }
                crm_lua_pop(l.L, 1)
            }
            return false
        }
        if l.rawField(name, at: t) == LUA_TTABLE { return true }
        crm_lua_pop(l.L, 1)
        return false
    }

    /// `compute = { depends = { … }, fn = function(record) … end }`, or just the function
    /// (it then reads every other field of the record).
    func computeDeclaration(_ l: LuaState, at: Int32, entity: String, field: String, plugin: String, what: String) throws -> ComputedField {
        var depends: [String]?
        let fnAt: Int32
        if l.type(at: at) == LUA_TFUNCTION {
            fnAt = at
        } else if l.type(at: at) == LUA_TTABLE {
            try rejectUnknownKeys(l, at: at, allowed: ["depends", "fn"], what: "\(what): compute")
            depends = try stringList(l, "depends", at: at)
            guard l.rawField("fn", at: at) == LUA_TFUNCTION else {
                crm_lua_pop(l.L, 1)
                throw LuaArgumentError("\(what): compute = { depends = { … }, fn = function(record) … end } needs fn")
            }
            fnAt = l.absolute(-1)
        } else {
            throw LuaArgumentError("\(what): compute is a table { depends = { … }, fn = function(record) … end } (got \(l.typeName(at: at)))")
        }
        let location = functionLocation(l, at: fnAt)
        lua_pushvalue(l.L, fnAt)
        let token = l.reference()
        if fnAt != at { crm_lua_pop(l.L, 1) }
        return ComputedField(entity: entity, field: field, plugin: plugin, location: location,
                             kind: .function(token: token, depends: depends ?? ["*"]))
    }

    /// `rollup = { from = "member", via = "group", sum = "monthly_fee", where = { status = "active" } }`.
    func rollupDeclaration(_ l: LuaState, at: Int32, entity: String, field: String, plugin: String,
                           location: String, what: String) throws -> ComputedField {
        guard l.type(at: at) == LUA_TTABLE else {
            throw LuaArgumentError("\(what): rollup is a table { from = \"entity\", sum = \"field\", … } (got \(l.typeName(at: at)))")
        }
        let functions = Rollup.Function.allCases.map(\.rawValue)
        try rejectUnknownKeys(l, at: at, allowed: ["from", "via", "where"] + functions, what: "\(what): rollup")
        guard let from = l.stringField("from", at: at) else {
            throw LuaArgumentError("\(what): rollup needs from = \"<entity whose records are counted or summed>\"")
        }
        var chosen: [(Rollup.Function, String?)] = []
        for f in Rollup.Function.allCases {
            defer { crm_lua_pop(l.L, 1) }
            switch l.rawField(f.rawValue, at: at) {
            case LUA_TNIL: continue
            case LUA_TSTRING: chosen.append((f, l.string(at: -1)))
            case LUA_TBOOLEAN where f == .count: chosen.append((f, nil))
            default: throw LuaArgumentError("\(what): rollup \(f.rawValue) = \(f == .count ? "true" : "\"<field of \(from)>\"")")
            }
        }
        guard chosen.count == 1 else {
            throw LuaArgumentError("\(what): rollup needs exactly one of count = true, sum = \"field\", min = \"field\", max = \"field\"")
        }
        var conditions: [Rollup.Condition] = []
        if l.rawField("where", at: at) == LUA_TTABLE {
            var failure: Error?
            l.forEachPair(at: -1) {
                guard failure == nil else { return }
                guard l.type(at: -2) == LUA_TSTRING, let key = l.string(at: -2) else {
                    failure = LuaArgumentError("\(what): rollup where = { field = value, … }")
                    return
                }
                var texts: [String] = []
                if l.type(at: -1) == LUA_TTABLE {
                    for i in 0..<l.length(at: -1) {
                        l.pushElement(i + 1, of: -1)
                        if let s = self.conditionText(l, at: -1) { texts.append(s) }
                        crm_lua_pop(l.L, 1)
                    }
                } else if let s = self.conditionText(l, at: -1) {
                    texts = [s]
                }
                if texts.isEmpty { failure = LuaArgumentError("\(what): rollup where \(key) = a value or a list of values") }
                conditions.append(Rollup.Condition(field: key, texts: texts))
            }
            if let failure { crm_lua_pop(l.L, 1); throw failure }
        }
        crm_lua_pop(l.L, 1)
        conditions.sort { $0.field < $1.field }
        let rollup = Rollup(entity: from, via: l.stringField("via", at: at) ?? "", function: chosen[0].0,
                            field: chosen[0].1, conditions: conditions)
        return ComputedField(entity: entity, field: field, plugin: plugin, location: location, kind: .rollup(rollup))
    }

    func conditionText(_ l: LuaState, at index: Int32) -> String? {
        switch l.type(at: index) {
        case LUA_TSTRING, LUA_TNUMBER: return l.string(at: index)
        case LUA_TBOOLEAN: return lua_toboolean(l.L, index) != 0 ? "yes" : "no"
        default: return nil
        }
    }

    func rejectUnknownKeys(_ l: LuaState, at: Int32, allowed: [String], what: String) throws {
        var unknown: String?
        l.forEachPair(at: at) {
            guard unknown == nil else { return }
            guard l.type(at: -2) == LUA_TSTRING, let key = l.string(at: -2) else { unknown = "?"; return }
            if !allowed.contains(key) { unknown = key }
        }
        if let unknown {
            throw LuaArgumentError("\(what): unknown key '\(unknown)'\(NameSuggestion.hint(for: unknown, in: allowed)); the keys are: \(allowed.joined(separator: ", "))")
        }
    }

    /// `file:line` where a function is defined.
    func functionLocation(_ l: LuaState, at index: Int32) -> String {
        var ar = lua_Debug()
        lua_pushvalue(l.L, index)
        lua_getinfo(l.L, ">S", &ar)
        let source = withUnsafeBytes(of: &ar.short_src) { raw in
            String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
        }
        return "\(source):\(ar.linedefined)"
    }

    /// Checks the loading plugin's computed fields together with those loaded before (a
    /// problem fails the plugin's load, naming the declaration).
    func checkPendingComputed() throws {
        guard !pendingComputed.isEmpty else { return }
        defer { if loadingPlugin == nil { pendingComputed = [] } }
        var schema = store.schema
        for e in pending.entities { schema.put(e) }
        for ext in pending.extensions {
            guard var e = schema.entity(named: ext.entity) else { continue }
            for f in ext.fields {
                if let i = e.fields.firstIndex(where: { $0.name == f.name }) { e.fields[i] = f } else { e.fields.append(f) }
            }
            schema.put(e)
        }
        try rebuildComputeGraph(adding: pendingComputed, schema: schema)
        pendingComputed = []
    }

    func rebuildComputeGraph(adding added: [ComputedField], schema: Schema) throws {
        do {
            computeGraph = try ComputeGraph(computeGraph.fields + added, schema: schema) { owner in
                self.settingDefinitions(owner: owner)?.map(\.name)
            }
        } catch let e as ComputeGraphError {
            throw LuaFailure(kind: .runtime, message: e.message, traceback: nil, location: e.location)
        }
    }

    /// Calls a computed field's function with the record and reads its value for the field.
    public func compute(_ field: ComputedField, record: [String: Value], id: Int64?, entity: EntityDefinition) throws -> Value {
        guard case .function(let token, _) = field.kind, let definition = entity.field(field.field) else { return .null }
        let l = lua!
        let top = l.top
        defer { l.top = top }
        let subject = id.map { "\(entity.name) \($0)" } ?? "a new \(entity.name)"
        l.pushReference(token)
        pushRecord(record, id: id, entity: entity)
        do {
            try l.call(arguments: 1, results: 1)
            let value = l.isNullSentinel(at: -1) ? .null : try l.value(at: -1, for: definition, entity: entity.name, store: store)
            traceLine("compute \(subject): \(field.field) = \(show(value)) (\(field.plugin), \(field.location))")
            return value
        } catch {
            var e = pluginError(error, plugin: field.plugin, what: "computed field \(field.qualifiedName)", record: subject)
            if e.location == nil || [.budget, .memory, .interrupted].contains(e.kind) { e.location = field.location }
            traceLine("compute \(subject): \(field.field) failed (\(field.plugin), \(field.location)): \(e.message)")
            throw e
        }
    }
}
