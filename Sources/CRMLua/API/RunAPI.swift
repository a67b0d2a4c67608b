import CLua
import CRMCore

/// `crm.run_report`, `crm.run_command`, `crm.run_job` and `crm.set_setting`: what a plugin's tests and
/// scripts need to check reports, commands and jobs the way the shell and scheduler run them.
extension PluginHost {
    func registerRunAPI(into add: (String, @escaping LuaState.HostFunction) -> Void) {
        add("run_report") { [unowned self] l in
            let name = try l.argString(1, "crm.run_report(name, params)")
            guard let report = self.report(named: name) else {
                throw LuaArgumentError("crm.run_report: no report named '\(name)'\(NameSuggestion.hint(for: name, in: self.reports.map(\.name)))")
            }
            let (named, _) = try self.textArguments(l, at: 2)
            let values = try self.typed(named, for: report.parameters, what: "report '\(name)'", plugin: report.plugin)
            try self.callRegistered(l, report.function, values)
            return 1
        }
        add("run_command") { [unowned self] l in
            let name = try l.argString(1, "crm.run_command(name, args)")
            guard let command = self.command(named: name) else {
                throw LuaArgumentError("crm.run_command: no command named '\(name)'\(NameSuggestion.hint(for: name, in: self.commands.map(\.name)))")
            }
            var (named, positional) = try self.textArguments(l, at: 2)
            for p in command.parameters where named[p.name] == nil && !positional.isEmpty {
                named[p.name] = positional.removeFirst()
            }
            let values = try self.typed(named, for: command.parameters, what: "command '\(name)'", plugin: command.plugin)
            try self.store.atomically { try self.callRegistered(l, command.function, values) }
            return 1
        }
        add("run_job") { [unowned self] l in
            // crm.run_job(name [, { force = true }]) arrives as run_job(caller, name, opts).
            let caller = try l.argString(1, "crm.run_job")
            guard PluginHost.trustedNames.contains(caller) else {
                throw LuaArgumentError("crm.run_job is for tests and scripts; plugin '\(caller)' has its jobs run by the scheduler (crm jobs run)")
            }
            let name = try l.argString(2, "crm.run_job(name)")
            guard let job = self.jobs.first(where: { $0.name == name || $0.key == name }) else {
                throw LuaArgumentError("crm.run_job: no job named '\(name)'\(NameSuggestion.hint(for: name, in: self.jobs.map(\.name)))")
            }
            let force = l.type(at: 3) == LUA_TTABLE && l.boolField("force", at: 3)
            let now = self.store.clock.now()
            if !force, let last = try self.lastRun(job), now - last < job.every {
                l.pushNil()
                l.push("not due until \(DateCodec.localDisplay(utc: DateCodec.utcText(epochSeconds: last + job.every)))")
                return 2
            }
            l.push(try self.run(job, now: now))
            return 1
        }
        add("set_setting") { [unowned self] l in
            let plugin = try l.argString(1, "crm.set_setting")
            guard PluginHost.trustedNames.contains(plugin) else {
                throw LuaArgumentError("crm.set_setting is for scripts and tests; settings are the admin's (setting plugin.name value)")
            }
            let key = try l.argString(2, "crm.set_setting(\"plugin.name\", value)")
            let text: String? = l.type(at: 3) <= LUA_TNIL || l.isNullSentinel(at: 3) ? nil : l.string(at: 3)
                ?? (l.type(at: 3) == LUA_TBOOLEAN ? (lua_toboolean(l.L, 3) != 0 ? "yes" : "no") : nil)
            try self.setSetting(key, text)
            return 0
        }
    }

    /// A table of arguments as typed text: string keys by name, list items in order.
    func textArguments(_ l: LuaState, at index: Int32) throws -> ([String: String], [String]) {
        var named: [String: String] = [:]
        var positional: [String] = []
        guard l.type(at: index) == LUA_TTABLE else { return (named, positional) }
        for i in 0..<l.length(at: index) {
            l.pushElement(i + 1, of: index)
            positional.append(try text(l, at: -1))
            crm_lua_pop(l.L, 1)
        }
        var failure: Error?
        l.forEachPair(at: index) {
            guard failure == nil, l.type(at: -2) == LUA_TSTRING, let key = l.string(at: -2) else { return }
            do { named[key] = try text(l, at: -1) } catch { failure = error }
        }
        if let failure { throw failure }
        return (named, positional)
    }

    private func text(_ l: LuaState, at index: Int32) throws -> String {
        switch l.type(at: index) {
        case LUA_TSTRING, LUA_TNUMBER: return l.string(at: index) ?? ""
        case LUA_TBOOLEAN: return lua_toboolean(l.L, index) != 0 ? "yes" : "no"
        default: throw LuaArgumentError("arguments are strings, numbers or booleans (got \(l.typeName(at: index)))")
        }
    }

    /// Calls a registered function with a parameter table, leaving its result on the stack.
    func callRegistered(_ l: LuaState, _ function: Int32, _ values: [(String, Value)]) throws {
        l.pushReference(function)
        lua_createtable(l.L, 0, Int32(values.count))
        for (name, value) in values {
            l.push(value)
            l.setField(name, at: -2)
        }
        try l.call(arguments: 1, results: 1)
    }
}
