import CLua
import CRMCore
import Foundation

/// Running what plugins registered (reports, commands, jobs) and Lua typed by people
/// (scripts, `lua …` and `= …` at the prompt).
extension PluginHost {
    func pushHostTable() {
        lua_createtable(lua.L, 0, 40)
        let add: (String, @escaping LuaState.HostFunction) -> Void = { [unowned self] name, function in
            self.lua.push(function: function)
            self.lua.setField(name, at: -2)
        }
        registerDeclarations(into: add)
        registerRoles(into: add)
        registerDataAPI(into: add)
        registerDateAPI(into: add)
        registerRunAPI(into: add)
        registerSeriesAPI(into: add)
        registerAsOfAPI(into: add)
        registerComputedAPI(into: add)
        registerValueSourceAPI(into: add)
        crm_lua_push_charge(lua.L)
        lua.setField("charge", at: -2)
    }

    // MARK: Reports and commands

    public func report(named name: String) -> ReportDefinition? { reports.first { $0.name == name } }
    public func command(named name: String) -> CommandDefinition? { commands.first { $0.name == name } }

    /// Runs a report with `name=value` arguments (typed text; defaults fill the rest).
    public func runReport(_ name: String, arguments: [String: String]) throws -> Output {
        guard let report = report(named: name) else {
            throw PluginError(plugin: nil, message: "no report named '\(name)'\(NameSuggestion.hint(for: name, in: reports.map(\.name))); see: reports")
        }
        let what = "report '\(name)'"
        let values = try typed(arguments, for: report.parameters, what: what, plugin: report.plugin)
        return try invoke(report.function, plugin: report.plugin, what: what, location: report.location,
                          title: report.label, arguments: values)
    }

    /// Runs a plugin command with its arguments already split: positional ones fill the
    /// parameters in order, `name=value` ones by name.
    public func runCommand(_ name: String, positional: [String], named: [String: String]) throws -> Output {
        guard let command = command(named: name) else {
            throw PluginError(plugin: nil, message: "no command named '\(name)'")
        }
        let what = "command '\(name)'"
        var arguments = named
        var free = command.parameters.filter { named[$0.name] == nil }
        for text in positional {
            guard !free.isEmpty else {
                throw PluginError(plugin: command.plugin, what: what,
                                  message: "too many arguments; usage: \(command.usage)")
            }
            arguments[free.removeFirst().name] = text
        }
        let values = try typed(arguments, for: command.parameters, what: what, plugin: command.plugin)
        // A command that fails part-way keeps nothing it wrote.
        return try store.atomically {
            try invoke(command.function, plugin: command.plugin, what: what, location: command.location,
                       title: nil, arguments: values)
        }
    }

    /// Checks and converts typed arguments against parameters.
    func typed(_ arguments: [String: String], for parameters: [ParameterDefinition], what: String,
               plugin: String) throws -> [(String, Value)] {
        for key in arguments.keys.sorted() where !parameters.contains(where: { $0.name == key }) {
            let hint = NameSuggestion.hint(for: key, in: parameters.map(\.name))
            throw PluginError(plugin: plugin, what: what,
                              message: "has no parameter '\(key)'\(hint); its parameters: \(parameters.isEmpty ? "none" : parameters.map(\.name).joined(separator: ", "))")
        }
        let parser = ValueParser(clock: store.clock)
        var out: [(String, Value)] = []
        for p in parameters {
            guard let text = arguments[p.name] ?? p.defaultText else {
                if p.required { throw PluginError(plugin: plugin, what: what, message: "needs \(p.name)=… (\(p.type.expectation))") }
                continue
            }
            do {
                if case .reference(let target) = p.type, Int64(text) == nil {
                    out.append((p.name, try lookUp(target, title: text)))
                } else {
                    out.append((p.name, try parser.parse(text, as: p.type)))
                }
            } catch is ValueParser.Failure {
                throw PluginError(plugin: plugin, what: what, message: "\(p.name)='\(text)' is not \(p.type.expectation)")
            } catch let e as LuaArgumentError {
                throw PluginError(plugin: plugin, what: what, message: "\(p.name): \(e.message)")
            }
        }
        return out
    }

    func lookUp(_ entity: String, title: String) throws -> Value {
        let e = try store.schema.require(entity)
        guard let titleField = e.titleField else { throw LuaArgumentError("\(entity) records are chosen by id") }
        let rows = try store.list(Query(entity: entity, filter: .compare(FieldRef(titleField), .eq, Literal(title, quoted: true)),
                                        limit: 2, fields: ["id"]))
        guard rows.rows.count == 1, let id = rows.rows.first?.first else {
            throw LuaArgumentError(rows.rows.isEmpty ? "no \(entity) has \(titleField) '\(title)'"
                                                     : "several \(entity) records have \(titleField) '\(title)'; give the id")
        }
        return id
    }

    /// Calls a registered function with an argument table and turns its result into output.
    func invoke(_ function: Int32, plugin: String, what: String, location: String, title: String?,
                arguments: [(String, Value)]) throws -> Output {
        let l = lua!
        let top = l.top
        defer { l.top = top }
        l.pushReference(function)
        lua_createtable(l.L, 0, Int32(arguments.count))
        for (name, value) in arguments {
            l.push(value)
            l.setField(name, at: -2)
        }
        // Records a job or command writes are audited as written through it.
        let via = store.via
        store.via = "\(plugin) \(what)"
        defer { store.via = via }
        do {
            try l.call(arguments: 1, results: 1)
            return try ResultReader(lua: l).output(at: -1, title: title)
        } catch {
            var e = pluginError(error, plugin: plugin, what: what)
            if e.location == nil || [.budget, .memory, .interrupted].contains(e.kind) { e.location = location }
            throw e
        }
    }

    // MARK: Jobs

    /// What `crm jobs run` did with one job.
    public struct JobRun: Sendable {
        public var job: String
        public var ran: Bool
        public var message: String
    }

    /// When a job last ran (epoch seconds), or nil.
    public func lastRun(_ job: JobDefinition) throws -> Int? {
        try store.meta("job.\(job.key).last").flatMap { Int($0) }
    }

    /// Runs the jobs that are due (or all, with `force`), each in its own transaction;
    /// a job that fails leaves nothing and is tried again next time.
    public func runJobs(force: Bool = false, only: String? = nil) throws -> [JobRun] {
        var out: [JobRun] = []
        let now = store.clock.now()
        for job in jobs where only == nil || job.name == only || job.key == only {
            if !force, let last = try lastRun(job), now - last < job.every {
                out.append(JobRun(job: job.key, ran: false, message: "not due until \(DateCodec.localDisplay(utc: DateCodec.utcText(epochSeconds: last + job.every)))"))
                continue
            }
            do {
                out.append(JobRun(job: job.key, ran: true, message: try run(job, now: now)))
            } catch {
                out.append(JobRun(job: job.key, ran: false, message: "failed: \(LuaState.describe(error))"))
            }
        }
        if let only, out.isEmpty {
            throw PluginError(plugin: nil, message: "no job named '\(only)'\(NameSuggestion.hint(for: only, in: jobs.map(\.name)))")
        }
        return out
    }

    /// Runs one job now, as the scheduler does: in its own transaction, with `now`, its
    /// run recorded; returns its message ("done" when it returns none), throws its error.
    func run(_ job: JobDefinition, now: Int) throws -> String {
        let result = try store.atomically { () -> Output in
            let output = try invoke(job.function, plugin: job.plugin, what: "job '\(job.name)'", location: job.location,
                                    title: nil, arguments: [("now", .integer(Int64(now)))])
            try store.setMeta("job.\(job.key).last", String(now))
            return output
        }
        if case .message(let text) = result { return text }
        return "done"
    }

    // MARK: Scripts and the prompt

    /// Runs a Lua script file with the `crm` API (every permission); `arguments` become `...`.
    public func runScript(path: String, arguments: [String] = []) throws -> Output {
        let source: String
        do { source = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw PluginError(plugin: nil, message: "cannot read \(path): \((error as NSError).localizedDescription)")
        }
        scriptFolders["(script)"] = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let env = try makeEnvironment(plugin: "(script)", withAPI: true)
        defer { lua.release(env) }
        return try runChunk(source, chunkName: path, env: env, arguments: arguments)
    }

    /// `lua <code>` at the prompt: runs in an environment kept between lines.
    public func evaluate(_ code: String) throws -> Output {
        let env = try prompt()
        return try runChunk(code, chunkName: "prompt", env: env, arguments: [])
    }

    /// `= <expr>` at the prompt: the value, printed readably (tables too).
    public func show(_ expression: String) throws -> Output {
        let env = try prompt()
        let l = lua!
        let top = l.top
        defer { l.top = top }
        try load("return " + expression, chunkName: "prompt", env: env)
        do { try l.call(arguments: 0, results: 1, timed: false) } catch { throw pluginError(error, plugin: nil, what: nil) }
        try callPrelude("show", pushing: {
            lua_pushvalue(l.L, -2)
            return 1
        }, results: 1)
        return .message(l.string(at: -1) ?? "nil")
    }

    func prompt() throws -> Int32 {
        if let env = promptEnvironment { return env }
        scriptFolders["(prompt)"] = FileManager.default.currentDirectoryPath
        let env = try makeEnvironment(plugin: "(prompt)", withAPI: true)
        promptEnvironment = env
        return env
    }

    func load(_ source: String, chunkName: String, env: Int32) throws {
        try callPrelude("load_in", pushing: {
            lua.pushReference(env)
            lua.push(source)
            lua.push(chunkName)
            return 3
        }, results: 2)
        if lua.type(at: -2) == LUA_TNIL {
            let message = lua.string(at: -1) ?? "cannot load \(chunkName)"
            lua.top = lua.top - 2
            let (location, bare) = LuaFailure.splitLocation(message)
            throw PluginError(plugin: nil, location: location, message: bare, kind: .syntax)
        }
        lua.top = lua.top - 1
    }

    func runChunk(_ source: String, chunkName: String, env: Int32, arguments: [String]) throws -> Output {
        let l = lua!
        let top = l.top
        defer { l.top = top }
        try load(source, chunkName: chunkName, env: env)
        for a in arguments { l.push(a) }
        do {
            try l.call(arguments: Int32(arguments.count), results: 1, timed: false)
            return try ResultReader(lua: l).output(at: -1, title: nil)
        } catch {
            throw pluginError(error, plugin: nil, what: nil)
        }
    }
}
