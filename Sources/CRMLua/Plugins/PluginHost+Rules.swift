import CLua
import CRMCore
import Foundation

/// Running the rules around every write, inside the write's transaction.
///
/// Order: rules run in the order they were registered: plugins load in dependency order
/// (a plugin after the plugins it requires), then by name; within a plugin, in the
/// order its files declare them. Rules for `*` take their place in that same order.
extension PluginHost {
    public func watches(_ action: WriteAction, _ entity: String) -> Bool {
        watched.contains("\(action.rawValue) \(entity)") || watched.contains("\(action.rawValue) *")
    }

    /// Why a plugin's rules are not running (the store then keeps its entities read-only).
    public func inactiveReason(plugin: String) -> String? {
        if plugin == "core" || loadingPlugin == plugin || loaded.contains(where: { $0.name == plugin }) { return nil }
        if let problem = problems.first(where: { $0.plugin == plugin }) { return "it failed to load: \(problem)" }
        return "it is not enabled"
    }

    public func hasAfterRules(_ action: WriteAction, _ entity: String) -> Bool {
        rules.contains { $0.timing == .after && $0.actions.contains(action) && ($0.entity == entity || $0.entity == "*") }
    }

    /// The rules that run for writes to an entity, in order: befores, then afters.
    public func chain(for entity: String) -> [RuleDefinition] {
        let mine = rules.filter { $0.entity == entity || $0.entity == "*" }
        return mine.filter { $0.timing == .before } + mine.filter { $0.timing == .after }
    }

    public func before(_ event: inout WriteEvent) throws {
        try run(.before, &event)
    }

    public func after(_ event: WriteEvent) throws {
        var copy = event
        try run(.after, &copy)
    }

    func run(_ timing: RuleDefinition.Timing, _ event: inout WriteEvent) throws {
        let selected = rules.filter {
            $0.timing == timing && $0.actions.contains(event.action) && ($0.entity == event.entity.name || $0.entity == "*")
        }
        guard !selected.isEmpty else { return }
        guard ruleDepth < PluginHost.maxRuleDepth else {
            throw PluginError(plugin: selected[0].plugin, what: "rule '\(selected[0].name)'", location: selected[0].location,
                              record: recordName(event),
                              message: "rules writing records that run rules went \(PluginHost.maxRuleDepth) levels deep; is a rule updating its own entity?")
        }
        ruleDepth += 1
        defer { ruleDepth -= 1 }
        for rule in selected {
            try run(rule, &event)
        }
    }

    func run(_ rule: RuleDefinition, _ event: inout WriteEvent) throws {
        let l = lua!
        let top = l.top
        defer { l.top = top }
        var record: String { recordName(event) }
        let e = event.entity
        l.pushReference(rule.function)
        // new (a copy the rule may change), old, ctx
        let values = event.new ?? event.old ?? [:]
        pushRecord(values, id: event.id, entity: e)
        let newIndex = l.absolute(-1)
        if let old = event.old { pushRecord(old, id: event.mergedID ?? event.id, entity: e) } else { l.pushNil() }
        lua_createtable(l.L, 0, 6)
        l.push(event.action.rawValue); l.setField("action", at: -2)
        l.push(e.name); l.setField("entity", at: -2)
        if let id = event.id { l.push(id); l.setField("id", at: -2) }
        l.push(store.user); l.setField("user", at: -2)
        l.push(rule.name); l.setField("rule", at: -2)
        l.push(rule.plugin); l.setField("plugin", at: -2)
        lua_pushvalue(l.L, newIndex)
        let newRef = l.reference()
        defer { l.release(newRef) }
        // What the rule writes, the audit trail names the rule for, beside the user.
        let via = store.via
        store.via = "\(rule.plugin) rule '\(rule.name)'"
        defer { store.via = via }
        do {
            try l.call(arguments: 3, results: 0)
        } catch {
            let failure = pluginError(error, plugin: rule.plugin, what: "rule '\(rule.name)'", record: record)
            var located = failure
            // A stop (budget, memory, Ctrl-C) may land anywhere; name the rule's own line.
            if located.location == nil || [.budget, .memory, .interrupted].contains(failure.kind) {
                located.location = rule.location
            }
            traceLine("\(rule.timing.rawValue) \(record): rule '\(rule.name)' (\(rule.plugin), \(rule.location)) "
                      + (failure.kind == .refused ? "refused: " : "failed: ") + failure.message)
            if failure.kind != .refused, let traceback = failure.traceback { traceLine(traceback) }
            throw located
        }
        guard rule.timing == .before, event.action != .delete else {
            traceLine("\(rule.timing.rawValue) \(record): rule '\(rule.name)' (\(rule.plugin), \(rule.location)) ran")
            return
        }
        // Read back what the rule changed.
        l.pushReference(newRef)
        let before = event.new ?? [:]
        var changed = try readBack(at: -1, original: before, entity: e)
        for f in e.fields where changed[f.name] == nil { changed[f.name] = .null }
        if event.action == .update {
            // The audit names this rule for the fields it changed (the user's command ran it).
            for f in e.fields where (before[f.name] ?? .null) != (changed[f.name] ?? .null) {
                event.setBy[f.name] = "\(rule.plugin) rule '\(rule.name)'"
            }
        }
        if trace != nil {
            var notes: [String] = []
            for f in e.fields {
                let was = before[f.name] ?? .null
                let now = changed[f.name] ?? .null
                if was != now { notes.append("\(f.name): \(show(was)) → \(show(now))") }
            }
            traceLine("before \(record): rule '\(rule.name)' (\(rule.plugin), \(rule.location)) "
                      + (notes.isEmpty ? "ran, changed nothing" : "changed " + notes.joined(separator: ", ")))
        }
        event.new = changed
    }

    func show(_ v: Value) -> String { v.isNull ? "null" : v.displayText }

    /// The record table after a rule ran, as values: fields the rule left as they were
    /// are taken over without parsing again (this runs for every row of an import).
    func readBack(at index: Int32, original: [String: Value], entity e: EntityDefinition) throws -> [String: Value] {
        let l = lua!
        let t = l.absolute(index)
        var out: [String: Value] = [:]
        out.reserveCapacity(e.fields.count)
        // Every imported row passes here when a rule watches creates: fields are read by
        // name, and the keys are only named one by one when one of them is not a field.
        var present = 0
        for i in e.fields.indices {
            l.rawField(e.fields[i].name, at: t)
            defer { crm_lua_pop(l.L, 1) }
            if l.type(at: -1) != LUA_TNIL { present += 1 }
            let was = original[e.fields[i].name] ?? .null
            if unchanged(was, at: -1) {
                if !was.isNull { out[e.fields[i].name] = was }
                continue
            }
            out[e.fields[i].name] = try l.value(at: -1, for: e.fields[i], entity: e.name, store: store)
        }
        for name in EntityDefinition.systemFields {
            l.rawField(name, at: t)
            if l.type(at: -1) != LUA_TNIL { present += 1 }
            crm_lua_pop(l.L, 1)
        }
        var keys = 0
        l.forEachPair(at: t) { keys += 1 }
        if keys != present {
            var unknown: String?
            l.forEachPair(at: t) {
                guard unknown == nil, l.type(at: -2) == LUA_TSTRING, let key = l.string(at: -2) else { return }
                if e.field(key) == nil && !EntityDefinition.systemFields.contains(key) { unknown = key }
            }
            if let unknown {
                throw StoreError.unknownField(entity: e.name, field: unknown,
                                              suggestion: NameSuggestion.closest(to: unknown, in: e.fields.map(\.name)))
            }
        }
        return out
    }

    /// True when the Lua value at `index` is what `value` was pushed as.
    func unchanged(_ value: Value, at index: Int32) -> Bool {
        let l = lua!
        switch (value, l.type(at: index)) {
        case (.null, LUA_TNIL): return true
        case (.text(var s), LUA_TSTRING), (.date(var s), LUA_TSTRING), (.datetime(var s), LUA_TSTRING):
            // Byte for byte, without making a Swift string of the Lua one.
            var length = 0
            guard let p = crm_lua_tostring(l.L, index, &length) else { return false }
            return s.withUTF8 { $0.count == length && (length == 0 || memcmp($0.baseAddress!, p, length) == 0) }
        case (.integer(let i), LUA_TNUMBER):
            return crm_lua_isinteger(l.L, index) != 0 && Int64(crm_lua_tointeger(l.L, index)) == i
        case (.decimal(let d), LUA_TNUMBER):
            return crm_lua_isinteger(l.L, index) == 0 && crm_lua_tonumber(l.L, index) == (Double(d.description) ?? .nan)
        case (.bool(let b), LUA_TBOOLEAN): return (lua_toboolean(l.L, index) != 0) == b
        default: return false
        }
    }

    /// `create deposit`, `update unit 12`, `delete customer 3`.
    func recordName(_ event: WriteEvent) -> String {
        "\(event.action.rawValue) \(event.entity.name)" + (event.id.map { " \($0)" } ?? "")
    }

    /// Reports to the trace; the text is only built when tracing is on.
    func traceLine(_ text: @autoclosure () -> String) {
        if let trace { trace("trace: " + text()) }
    }

    /// Pushes field values (plus id) as a plain table.
    func pushRecord(_ values: [String: Value], id: Int64?, entity: EntityDefinition) {
        let l = lua!
        lua_createtable(l.L, 0, Int32(values.count + 1))
        if let id { l.push(id); l.setField("id", at: -2) }
        for (name, value) in values where !value.isNull {
            l.push(value)
            l.setField(name, at: -2)
        }
    }
}
