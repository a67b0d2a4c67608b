import CLua
import CRMCore
import Foundation

/// The host functions behind `crm.entity`, `crm.extend`, `crm.before/after`,
/// `crm.report`, `crm.command` and `crm.job`, and `require`'s file access.
extension PluginHost {
    func registerDeclarations(into add: (String, @escaping LuaState.HostFunction) -> Void) {
        add("permitted") { [unowned self] l in
            let plugin = try l.argString(1, "permitted"), permission = try l.argString(2, "permitted")
            l.push(try self.isPermitted(plugin: plugin, permission: permission))
            return 1
        }
        add("module_source") { [unowned self] l in
            let plugin = try l.argString(1, "require"), module = try l.argString(2, "require")
            let folder = self.folder(of: plugin)
            let relative = module.replacingOccurrences(of: ".", with: "/") + ".lua"
            let chunk = folder.map { self.chunkName($0, relative) } ?? relative
            guard let folder, let source = try? String(contentsOfFile: folder + "/" + relative, encoding: .utf8) else {
                l.pushNil()
                l.push(chunk)
                return 2
            }
            l.push(source)
            l.push(chunk)
            return 2
        }
        add("define_entity") { [unowned self] l in
            let plugin = try l.argString(1, "crm.entity"), name = try l.argString(2, "crm.entity")
            try self.defineEntity(l, plugin: plugin, name: name, at: 3)
            return 0
        }
        add("extend_entity") { [unowned self] l in
            let plugin = try l.argString(1, "crm.extend"), name = try l.argString(2, "crm.extend")
            try self.extendEntity(l, plugin: plugin, name: name, at: 3, location: l.string(at: 4) ?? "?")
            return 0
        }
        add("add_rule") { [unowned self] l in
            try self.addRule(l)
            return 0
        }
        add("add_report") { [unowned self] l in
            let plugin = try l.argString(1, "crm.report"), name = try l.argString(2, "crm.report")
            let params = try self.parameters(l, at: 3, owner: "report \(name)")
            let function = try self.function(l, field: "run", at: 3, what: "crm.report \"\(name)\"")
            let report = ReportDefinition(plugin: plugin, name: name, label: l.stringField("label", at: 3) ?? name,
                                          parameters: params, location: l.string(at: 4) ?? "?", function: function)
            try self.checkUnique(name, in: self.reports.map(\.name) + self.pending.reports.map(\.name), what: "report")
            self.register { $0.reports.append(report) } direct: { self.reports.append(report) }
            return 0
        }
        add("add_command") { [unowned self] l in
            let plugin = try l.argString(1, "crm.command"), name = try l.argString(2, "crm.command")
            guard name.range(of: "^[a-z][a-z0-9_-]*$", options: .regularExpression) != nil else {
                throw LuaArgumentError("crm.command \"\(name)\": a command name is lowercase letters, digits, - and _")
            }
            let params = try self.parameters(l, at: 3, owner: "command \(name)")
            let function = try self.function(l, field: "run", at: 3, what: "crm.command \"\(name)\"")
            let summary = l.stringField("summary", at: 3) ?? l.stringField("help", at: 3) ?? ""
            let usage = l.stringField("usage", at: 3)
                ?? ([name] + params.map { $0.required ? "<\($0.name)>" : "[\($0.name)=…]" }).joined(separator: " ")
            let command = CommandDefinition(plugin: plugin, name: name, summary: summary, usage: usage,
                                            details: l.stringField("details", at: 3) ?? "", parameters: params,
                                            location: l.string(at: 4) ?? "?", function: function)
            try self.checkUnique(name, in: self.commands.map(\.name) + self.pending.commands.map(\.name), what: "command")
            self.register { $0.commands.append(command) } direct: { self.commands.append(command) }
            return 0
        }
        add("add_job") { [unowned self] l in
            let plugin = try l.argString(1, "crm.job"), name = try l.argString(2, "crm.job")
            guard let everyText = l.stringField("every", at: 3) ?? l.integerField("every", at: 3).map({ "\($0)s" }) else {
                throw LuaArgumentError("crm.job \"\(name)\": every = \"1d\" (or 15m, 1h, 1w) is required")
            }
            guard let every = PluginHost.seconds(everyText) else {
                throw LuaArgumentError("crm.job \"\(name)\": every = \"\(everyText)\" is not a period like 30m, 1h, 1d or 1w")
            }
            let function = try self.function(l, field: "run", at: 3, what: "crm.job \"\(name)\"")
            let job = JobDefinition(plugin: plugin, name: name, label: l.stringField("label", at: 3) ?? name,
                                    every: every, location: l.string(at: 4) ?? "?", function: function)
            self.register { $0.jobs.append(job) } direct: { self.jobs.append(job) }
            return 0
        }
    }

    /// Adds to the plugin being loaded, or (from a script or the prompt) at once.
    func register(_ pendingChange: (inout Registrations) -> Void, direct: () -> Void) {
        if loadingPlugin != nil { pendingChange(&pending) } else { direct() }
        rebuildWatches()
    }

    func checkUnique(_ name: String, in names: [String], what: String) throws {
        if names.contains(name) { throw LuaArgumentError("a \(what) named '\(name)' already exists") }
    }

    /// `def[field]` must be a function; returns a registry reference to it.
    func function(_ l: LuaState, field: String, at index: Int32, what: String) throws -> Int32 {
        guard l.rawField(field, at: index) == LUA_TFUNCTION else {
            crm_lua_pop(l.L, 1)
            throw LuaArgumentError("\(what): \(field) = function(…) … end is required")
        }
        return l.reference()
    }

    func parameters(_ l: LuaState, at index: Int32, owner: String) throws -> [ParameterDefinition] {
        defer { crm_lua_pop(l.L, 1) }
        guard l.rawField("params", at: index) == LUA_TTABLE else { return [] }
        return try l.specs(at: -1, what: "parameter").map { try ParameterDefinition(spec: $0, owner: owner) }
    }

    func addRule(_ l: LuaState) throws {
        let plugin = try l.argString(1, "crm.before/after")
        let timing = RuleDefinition.Timing(rawValue: try l.argString(2, "crm.before/after")) ?? .before
        let what = "crm.\(timing.rawValue)(action, entity, name, function)"
        var actions: Set<WriteAction> = []
        let actionNames: [String]
        if l.type(at: 3) == LUA_TTABLE {
            actionNames = (0..<l.length(at: 3)).compactMap { i in
                l.pushElement(i + 1, of: 3)
                defer { crm_lua_pop(l.L, 1) }
                return l.string(at: -1)
            }
        } else {
            actionNames = [try l.argString(3, what)]
        }
        for a in actionNames {
            if a == "write" { actions.formUnion(WriteAction.writes); continue }
            guard let action = WriteAction(rawValue: a) else {
                throw LuaArgumentError("\(what): unknown action '\(a)'; use create, update, delete, write (all three) or merge")
            }
            actions.insert(action)
        }
        let entity = try l.argString(4, what)
        if entity != "*", store.schema.entity(named: entity) == nil, !pending.entities.contains(where: { $0.name == entity }) {
            _ = try store.schema.require(entity)  // unknown entity, with a suggestion
        }
        let name = try l.argString(5, what)
        let all = rules + pending.rules
        if all.contains(where: { $0.plugin == plugin && $0.name == name && $0.timing == timing && $0.entity == entity }) {
            throw LuaArgumentError("\(what): plugin \(plugin) already has a rule '\(name)' \(timing.rawValue) \(entity) writes")
        }
        lua_pushvalue(l.L, 6)
        let ref = l.reference()
        let rule = RuleDefinition(plugin: plugin, name: name, timing: timing, actions: actions, entity: entity,
                                  location: l.string(at: 7) ?? "?", function: ref)
        register { $0.rules.append(rule) } direct: { self.rules.append(rule) }
    }

    func rebuildWatches() {
        var keys: Set<String> = []
        for r in rules + pending.rules {
            for a in r.actions { keys.insert("\(a.rawValue) \(r.entity)") }
        }
        watched = keys
    }

    // MARK: Entities

    func defineEntity(_ l: LuaState, plugin: String, name: String, at index: Int32) throws {
        let what = "crm.entity \"\(name)\""
        if let existing = store.schema.entity(named: name), existing.owner != plugin {
            // Name where the other definition is, so the clash can be fixed from either side.
            let origin = entityOrigins[name].map { " (\($0))" } ?? (existing.owner == "core" ? "" : " (stored in this database)")
            throw LuaArgumentError("\(what): the entity '\(name)' already belongs to \(existing.owner == "core" ? "the core" : "plugin \(existing.owner)")\(origin); two plugins cannot define the same entity: rename one (with formerly = \"\(name)\" to keep its records) or use crm.extend to add fields to it")
        }
        guard l.rawField("fields", at: index) == LUA_TTABLE else {
            crm_lua_pop(l.L, 1)
            throw LuaArgumentError("\(what): fields = { name = { \"text\" }, … } is required")
        }
        let specs = try l.specs(at: -1, what: "field")
        var fields = try specs.map { try FieldDefinition(spec: $0, entity: name) }
        try readComputed(l, fieldsAt: -1, entity: name, plugin: plugin, location: l.string(at: 4) ?? "?", fields: &fields)
        crm_lua_pop(l.L, 1)
        var e = EntityDefinition(name: name, label: l.stringField("label", at: index) ?? name, fields: fields,
                                 indexes: try indexes(l, at: index, entity: name), owner: plugin)
        e.formerly = l.stringField("formerly", at: index)
        e.titleField = l.stringField("title", at: index) ?? ["name", "title", "number", "code"].first { e.field($0) != nil }
        e.searchFields = try stringList(l, "search", at: index)
        let list = try stringList(l, "list", at: index)
        e.listFields = list.isEmpty ? nil : (list.contains("id") ? list : ["id"] + list)
        let lookup = try lookupKeys(l, specs, at: index)
        e.lookupFields = lookup.isEmpty ? nil : lookup
        for f in [e.titleField].compactMap({ $0 }) + e.searchFields + list + lookup where e.type(of: f) == nil {
            throw StoreError.unknownField(entity: name, field: f, suggestion: NameSuggestion.closest(to: f, in: e.fields.map(\.name)))
        }
        if pending.entities.contains(where: { $0.name == name }) { throw LuaArgumentError("\(what) is defined twice") }
        if loadingPlugin == nil {
            try store.install([e])
            try checkPendingComputed()
        } else {
            pending.entities.append(e)
        }
        pendingOrigins[name] = l.string(at: 4) ?? plugin
    }

    func extendEntity(_ l: LuaState, plugin: String, name: String, at index: Int32, location: String) throws {
        let fieldsAt: Int32
        let hasFieldsKey = l.rawField("fields", at: index) == LUA_TTABLE
        if hasFieldsKey { fieldsAt = l.absolute(-1) } else { crm_lua_pop(l.L, 1); fieldsAt = index }
        var specs = try l.specs(at: fieldsAt, what: "field")
        specs.removeAll { ["indexes", "unique", "label", "list", "lookup"].contains($0.name) && !hasFieldsKey }
        var fields = try specs.map { try FieldDefinition(spec: $0, entity: name) }
        try readComputed(l, fieldsAt: fieldsAt, entity: name, plugin: plugin, location: location, fields: &fields)
        if hasFieldsKey { crm_lua_pop(l.L, 1) }
        let indexes = try indexes(l, at: index, entity: name)
        let list = try stringList(l, "list", at: index)
        let choices = ExtensionChoices(list: list.isEmpty ? nil : list, lookup: try lookupKeys(l, specs, at: index))
        if loadingPlugin == nil {
            try install(extension: (name, fields, indexes, location), plugin: plugin, choices: choices)
            try checkPendingComputed()
        } else {
            pending.extensions.append((name, fields, indexes, location))
            pending.extensionChoices.append(choices)
        }
    }

    /// The lookup keys declared: fields with `lookup = true`, then the entity's
    /// `lookup = { "code", … }` (or one name).
    func lookupKeys(_ l: LuaState, _ specs: [Spec], at index: Int32) throws -> [String] {
        var keys = specs.filter { $0.flag("lookup") }.map(\.name)
        for name in try stringList(l, "lookup", at: index) where !keys.contains(name) { keys.append(name) }
        return keys
    }

    func indexes(_ l: LuaState, at index: Int32, entity: String) throws -> [IndexDefinition] {
        var out: [IndexDefinition] = []
        for (key, unique) in [("indexes", false), ("unique", true)] {
            defer { crm_lua_pop(l.L, 1) }
            guard l.rawField(key, at: index) == LUA_TTABLE else { continue }
            for i in 0..<l.length(at: -1) {
                l.pushElement(i + 1, of: -1)
                defer { crm_lua_pop(l.L, 1) }
                var fields: [String] = []
                if l.type(at: -1) == LUA_TSTRING {
                    fields = [l.string(at: -1)!]
                } else if l.type(at: -1) == LUA_TTABLE {
                    for j in 0..<l.length(at: -1) {
                        l.pushElement(j + 1, of: -1)
                        if let s = l.string(at: -1) { fields.append(s) }
                        crm_lua_pop(l.L, 1)
                    }
                }
                guard !fields.isEmpty else { throw LuaArgumentError("entity \(entity): \(key) is a list of field lists, e.g. { { \"building\", \"number\" } }") }
                let flagged = l.type(at: -1) == LUA_TTABLE && l.boolField("unique", at: -1)
                out.append(IndexDefinition(fields, unique: unique || flagged))
            }
        }
        return out
    }

    func stringList(_ l: LuaState, _ key: String, at index: Int32) throws -> [String] {
        defer { crm_lua_pop(l.L, 1) }
        switch l.rawField(key, at: index) {
        case LUA_TSTRING: return [l.string(at: -1)!]
        case LUA_TTABLE:
            return (0..<l.length(at: -1)).compactMap { i in
                l.pushElement(i + 1, of: -1)
                defer { crm_lua_pop(l.L, 1) }
                return l.string(at: -1)
            }
        default: return []
        }
    }

    /// Installs what the plugin being loaded declared: its entities, then its fields on others.
    func installPending(plugin: String) throws {
        if !pending.entities.isEmpty { try store.install(pending.entities) }
        for (i, ext) in pending.extensions.enumerated() {
            try install(extension: ext, plugin: plugin, choices: pending.extensionChoices[safe: i] ?? ExtensionChoices())
        }
    }

    func install(extension ext: (entity: String, fields: [FieldDefinition], indexes: [IndexDefinition], location: String),
                 plugin: String, choices: ExtensionChoices = ExtensionChoices()) throws {
        var e = try store.schema.require(ext.entity)
        for f in ext.fields {
            if let existing = e.field(f.name) {
                // The same plugin loading again (or an upgrade changing the field) is fine;
                // a clash with a core field or another plugin's is not.
                if existing.type != f.type && existing.plugin != plugin && !(existing.help ?? "").hasPrefix("plugin \(plugin)") {
                    throw LuaFailure(kind: .runtime, message: "crm.extend \"\(ext.entity)\": field '\(f.name)' already exists as \(existing.type.name)",
                                     traceback: nil, location: ext.location)
                }
            }
            var field = f
            field.plugin = plugin
            // In place when it exists (an upgrade), so the order of fields stays stable.
            if let i = e.fields.firstIndex(where: { $0.name == f.name }) { e.fields[i] = field } else { e.fields.append(field) }
        }
        for i in ext.indexes where !e.indexes.contains(i) { e.indexes.append(i) }
        // The plugin's default list columns and lookup keys for the entity it extends.
        if let list = choices.list {
            e.listFields = list.contains("id") ? list : ["id"] + list
            e.listChosenBy = plugin
        }
        if !choices.lookup.isEmpty { e.lookupFields = e.lookupKeys + choices.lookup.filter { !e.lookupKeys.contains($0) } }
        for name in (choices.list ?? []) + choices.lookup where e.type(of: name) == nil {
            throw LuaFailure(kind: .runtime, message: "crm.extend \"\(ext.entity)\": \(StoreError.unknownField(entity: e.name, field: name, suggestion: NameSuggestion.closest(to: name, in: e.fields.map(\.name))))",
                             traceback: nil, location: ext.location)
        }
        try store.install([e])
    }

    func folder(of plugin: String) -> String? {
        if let f = scriptFolders[plugin] { return f }
        return listing(plugin)?.folder
    }

    /// `30s`, `15m`, `1h`, `1d`, `2w` as seconds.
    static func seconds(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard let unit = t.last, let n = Int(t.dropLast()), n > 0 else { return nil }
        switch unit {
        case "s": return n
        case "m": return n * 60
        case "h": return n * 3600
        case "d": return n * 86400
        case "w": return n * 7 * 86400
        default: return nil
        }
    }
}

/// What `crm.extend` chooses for an entity besides fields: its default `list` columns
/// and more lookup keys.
struct ExtensionChoices {
    var list: [String]?
    var lookup: [String] = []
}

fileprivate extension Array {
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}

extension LuaState {
    /// Argument `i` as a string, or an error naming the function.
    func argString(_ i: Int32, _ function: String) throws -> String {
        guard type(at: i) == LUA_TSTRING, let s = string(at: i) else {
            throw LuaArgumentError("\(function): argument #\(i) must be a string (got \(typeName(at: i)))")
        }
        return s
    }

    func typeName(at i: Int32) -> String { String(cString: lua_typename(L, lua_type(L, i))) }
}
