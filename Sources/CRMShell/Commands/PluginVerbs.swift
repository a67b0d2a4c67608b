import CRMCore
import CRMLua

extension Session {
    /// The plugin host, or an error saying plugins are off in this run.
    func pluginHost() throws -> PluginHost {
        try startDeferredPlugins()
        guard let plugins = attachedPlugins else { throw PluginError(plugin: nil, message: "plugins are not loaded in this run") }
        return plugins
    }
}

/// `plugins`: what is available and what is enabled.
struct PluginsVerb: Verb {
    let name = "plugins"
    let summary = "list the plugins found and which are enabled here"
    let usage = ["plugins"]
    let details = """
        Plugins are folders with a plugin.lua, found in the bundled plugins/ folder, in
        $XDG_CONFIG_HOME/crm/plugins and in --plugins DIR (a later folder overrides an
        earlier one). What is enabled is remembered in this database.

        Example:
          plugins
          plugin enable example
        """
    let completion = CompletionShape.nothing

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        try args.expectEnd(usageLine)
        let host = try session.pluginHost()
        let enabled = try host.enabledNames()
        let rows: [[Value]] = host.available.map { p in
            let state: String
            if let problem = host.problems.first(where: { $0.plugin == p.name }) {
                state = "failed: " + problem.description
            } else if host.loaded.contains(where: { $0.name == p.name }) {
                state = "enabled"
            } else if let problem = p.problem {
                state = "unreadable: " + problem
            } else {
                state = enabled.contains(p.name) ? "enabled, not loaded" : "available"
            }
            return [.text(p.name), .text(p.manifest?.version ?? ""), .text(state), .text(p.manifest?.description ?? ""), .text(p.folder)]
        }
        return .table(ResultTable(columns: [Column("plugin"), Column("version"), Column("state"), Column("description"), Column("folder")],
                                  rows: rows))
    }
}

/// `plugin enable|disable|reload|info|grant|revoke`.
struct PluginVerb: Verb {
    let name = "plugin"
    let summary = "enable, disable, reload, inspect or grant a permission to a plugin"
    let usage = ["plugin enable <name>", "plugin disable <name>", "plugin reload [<name>]", "plugin info <name>",
                 "plugin grant <name> <permission>", "plugin revoke <name> <permission>"]
    let details = """
        enable    loads the plugin (and the plugins it requires) and remembers it in this
                  database; its entities are created or migrated, keeping data.
        disable   stops loading it; its tables and data stay.
        reload    reads every plugin's files again without restarting the shell.
        info      the plugin's manifest, settings, entities, rules, reports, commands, jobs.
        grant     allows a permission its plugin.lua asks for: execute (os.execute,
                  io.popen), write (io writing, os.remove/rename), debug (the debug library).

        Example:
          plugin enable example
          plugin info example
        """
    let completion = CompletionShape.nothing

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        let host = try session.pluginHost()
        let action = try args.word("enable, disable, reload, info, grant or revoke")
        switch action.text {
        case "enable":
            let name = try args.word("a plugin name").text
            try args.expectEnd(usageLine)
            let added = try host.enable(name)
            try session.refreshPluginVerbs()
            if let problem = host.problems.first(where: { added.contains($0.plugin ?? "") }) { throw problem }
            return .message(added.isEmpty ? "\(name) was already enabled" : "enabled " + added.joined(separator: ", "))
        case "disable":
            let name = try args.word("a plugin name").text
            try args.expectEnd(usageLine)
            try host.disable(name)
            try session.refreshPluginVerbs()
            return .message("disabled \(name) (its data stays)")
        case "reload":
            if !args.atEnd { _ = try args.word("a plugin name") }
            try args.expectEnd(usageLine)
            try host.reload()
            try session.refreshPluginVerbs()
            if !host.problems.isEmpty {
                return .message("reloaded with problems:\n" + host.problems.map { "  " + $0.description }.joined(separator: "\n"))
            }
            return .message("reloaded \(host.loaded.count) plugin\(host.loaded.count == 1 ? "" : "s")")
        case "info":
            let name = try args.word("a plugin name").text
            try args.expectEnd(usageLine)
            return try info(host, name)
        case "grant", "revoke":
            let name = try args.word("a plugin name").text
            let permission = try args.word("a permission (execute, write or debug)").text
            try args.expectEnd(usageLine)
            if action.text == "grant" { try host.grant(name, permission) } else { try host.revoke(name, permission) }
            return .message("\(action.text == "grant" ? "granted" : "revoked") \(permission) \(action.text == "grant" ? "to" : "from") \(name)")
        default:
            throw SyntaxError(message: "unknown plugin action '\(action.text)'; use enable, disable, reload, info, grant or revoke",
                              position: action.position)
        }
    }

    func info(_ host: PluginHost, _ name: String) throws -> Output {
        guard let listing = host.available.first(where: { $0.name == name }) else {
            throw PluginError(plugin: nil, message: "no plugin named '\(name)'\(NameSuggestion.hint(for: name, in: host.available.map(\.name)))")
        }
        var fields: [(String, String, Value)] = [("name", "Name", .text(name)), ("folder", "Folder", .text(listing.folder))]
        if let m = listing.manifest {
            fields += [("version", "Version", .text(m.version)), ("description", "Description", .text(m.description)),
                       ("requires", "Requires", .text(m.requires.joined(separator: ", "))),
                       ("permissions", "Permissions", .text(m.permissions.map { p in
                           ((try? host.grants(of: name).contains(p)) ?? false) ? "\(p) (granted)" : "\(p) (not granted)" }.joined(separator: ", "))),
                       ("settings", "Settings", .text(m.settings.map { "\($0.name) (\($0.type.name), default \($0.defaultText ?? "none"))" }.joined(separator: "; ")))]
        }
        let entities = host.store.schema.entities.filter { $0.owner == name }.map(\.name)
        fields += [("entities", "Entities", .text(entities.joined(separator: ", "))),
                   ("rules", "Rules", .text(host.rules.filter { $0.plugin == name }.map { "\($0.name) (\($0.timing.rawValue) \($0.entity))" }.joined(separator: "; "))),
                   ("reports", "Reports", .text(host.reports.filter { $0.plugin == name }.map(\.name).joined(separator: ", "))),
                   ("commands", "Commands", .text(host.commands.filter { $0.plugin == name }.map(\.name).joined(separator: ", "))),
                   ("jobs", "Jobs", .text(host.jobs.filter { $0.plugin == name }.map(\.name).joined(separator: ", ")))]
        if let problem = host.problems.first(where: { $0.plugin == name }) ?? listing.problem.map({ PluginError(plugin: name, message: $0) }) {
            fields.append(("problem", "Problem", .text(problem.description)))
        }
        return .record(RecordView(title: "plugin \(name)", fields: fields.map { (name: $0.0, label: $0.1, value: $0.2) }))
    }
}

/// `rules [<entity>]`: the hook chain, in the order it runs.
struct RulesVerb: Verb {
    let name = "rules"
    let summary = "show the rules that run on writes to an entity, in order"
    let usage = ["rules [<entity>]"]
    let details = """
        Lists every rule hooked on the entity's writes across plugins, in the order they
        run: all before-rules, then all after-rules; among them, plugins in load order
        (a plugin after those it requires, then by name) and each plugin's rules in the
        order its files declare them. Use trace on to see them run.

        Example:
          rules customer
        """
    let completion = CompletionShape.entity

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        let host = try session.pluginHost()
        var selected: [RuleDefinition]
        if args.atEnd {
            let before = host.rules.filter { $0.timing == .before }, after = host.rules.filter { $0.timing == .after }
            selected = before + after
        } else {
            let e = try session.entity(&args)
            selected = host.chain(for: e.name)
        }
        try args.expectEnd(usageLine)
        let rows: [[Value]] = selected.enumerated().map { i, r in
            [.integer(Int64(i + 1)), .text(r.timing.rawValue), .text(WriteAction.allCases.filter { r.actions.contains($0) }.map(\.rawValue).joined(separator: ",")),
             .text(r.entity), .text(r.name), .text(r.plugin), .text(r.location)]
        }
        return .table(ResultTable(columns: [Column("order", numeric: true), Column("when"), Column("on"), Column("entity"),
                                            Column("rule"), Column("plugin"), Column("defined at")], rows: rows))
    }
}

/// `reports`: the reports plugins offer, with their parameters.
struct ReportsVerb: Verb {
    let name = "reports"
    let summary = "list the reports plugins offer and the core's customer analyses, with their parameters"
    let usage = ["reports"]
    let details = "Each report's name, plugin (core for the customer analyses: abc, rfm, stages, churn-risk, loyalty, satisfaction), title and parameters (name, type and default). Run one with: report <name> [param=value …]"
    let completion = CompletionShape.nothing

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        try args.expectEnd(usageLine)
        let plugins: [[Value]] = (session.plugins?.reports ?? []).map { r in
            [.text(r.name), .text(r.plugin), .text(r.label),
             .text(r.parameters.map { "\($0.name) (\($0.type.name)\($0.defaultText.map { ", default \($0)" } ?? ""))" }.joined(separator: "; "))]
        }
        // The core's customer analyses, after the plugins' reports (a plugin's report of the same name wins).
        let core: [[Value]] = AnalysisVerb.all.filter { a in session.plugins?.report(named: a.name) == nil }.map { a in
            [.text(a.name), .text("core"), .text(a.summary),
             .text(a.parameters.map { "\($0.name) (\($0.type.name)\($0.defaultText.map { ", default \($0)" } ?? ""))" }.joined(separator: "; "))]
        }
        let rows = plugins + core
        return .table(ResultTable(columns: [Column("report"), Column("plugin"), Column("title"), Column("parameters")], rows: rows))
    }
}

/// `jobs` and `jobs run`.
struct JobsVerb: Verb {
    let name = "jobs"
    let summary = "list scheduled jobs, or run the due ones: jobs run [<name>] [force]"
    let usage = ["jobs", "jobs run [<name>] [force]"]
    let details = """
        Plugins declare jobs with how often they are due. `jobs run` (from cron: crm jobs run)
        runs the due ones, each in its own transaction, and records when it ran; a failed job
        writes nothing and is tried again next time. `force` runs them even if not due.
        """
    let completion = CompletionShape.nothing

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        let host = try session.pluginHost()
        if args.consumeKeyword("run") {
            var only: String?
            var force = false
            while let t = args.next() {
                if t.text == "force" { force = true } else { only = t.text }
            }
            let runs = try host.runJobs(force: force, only: only)
            let failed = runs.filter { $0.message.hasPrefix("failed") }
            let table = ResultTable(columns: [Column("job"), Column("ran"), Column("result")],
                                    rows: runs.map { [.text($0.job), .bool($0.ran), .text($0.message)] })
            if !failed.isEmpty {
                throw PluginError(plugin: nil, what: "jobs run", message: failed.map { "\($0.job) \($0.message)" }.joined(separator: "; "))
            }
            return .table(table)
        }
        try args.expectEnd(usageLine)
        let now = host.store.clock.now()
        let rows: [[Value]] = try host.jobs.map { j in
            let last = try host.lastRun(j)
            let next = last.map { $0 + j.every } ?? now
            return [.text(j.key), .text(j.label), .text(JobsVerb.period(j.every)),
                    last.map { .datetime(DateCodec.utcText(epochSeconds: $0)) } ?? .null,
                    next <= now ? .text("due") : .datetime(DateCodec.utcText(epochSeconds: next)), .text(j.location)]
        }
        return .table(ResultTable(columns: [Column("job"), Column("label"), Column("every"), Column("last run"), Column("next"), Column("defined at")],
                                  rows: rows))
    }

    static func period(_ s: Int) -> String {
        for (unit, size) in [("w", 604_800), ("d", 86400), ("h", 3600), ("m", 60)] where s % size == 0 { return "\(s / size)\(unit)" }
        return "\(s)s"
    }
}

/// `setting [owner.name [value|default]]`.
struct SettingVerb: Verb {
    let name = "setting"
    let summary = "show or change plugin settings for this database"
    let usage = ["setting", "setting <plugin>.<name> <value>", "setting <plugin>.<name> default"]
    let details = """
        Settings are declared by plugins (with a type and a default) and by the host:
        lua.instructions (the instruction budget of one rule, report or command) and
        lua.memory_mb (the memory all plugins may hold); the core's own are analytics.* (the
        customer analyses) and sla.* (service-level targets and working hours). Values are
        checked against the type.

        Example:
          setting lua.instructions 50000000
          setting sla.response_urgent 0.5
        """
    let completion = CompletionShape.nothing

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        let host = try session.pluginHost()
        guard !args.atEnd else {
            let rows: [[Value]] = try host.allSettings().map { [.text($0.key), .text($0.value), .bool($0.isDefault), .text($0.label)] }
            return .table(ResultTable(columns: [Column("setting"), Column("value"), Column("default"), Column("meaning")], rows: rows))
        }
        let key = try args.word("a setting like lua.instructions").text
        let value = args.gluedValue()
        try args.expectEnd(usageLine)
        guard !value.text.isEmpty else {
            let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw PluginError(plugin: nil, message: "settings are named plugin.name (see: setting)") }
            return .message(try host.setting(owner: parts[0], name: parts[1]).displayText)
        }
        let recomputed = try host.setSetting(key, value.text == "default" && !value.quoted ? nil : value.text)
        let done = value.text == "default" ? "\(key) reset to its default" : "\(key) = \(value.text)"
        return .message(done + RecomputeVerb.note(recomputed))
    }
}

/// `trace on|off`.
struct TraceVerb: Verb {
    let name = "trace"
    let summary = "show which rules run on each write and what they change: trace on|off"
    let usage = ["trace on", "trace off"]
    let details = """
        With trace on, every write prints (on stderr) each rule that ran, in order, with its
        plugin and file:line, and what it changed or why it refused. Same as --trace.
        """
    let completion = CompletionShape.nothing

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        let host = try session.pluginHost()
        let t = try args.word("on or off")
        try args.expectEnd(usageLine)
        switch t.text {
        case "on": host.trace = session.note
        case "off": host.trace = nil
        default: throw SyntaxError(message: "expected on or off", position: t.position)
        }
        return .message("trace \(t.text)")
    }
}

/// `lua <code>`: runs Lua with the crm API at the prompt.
struct LuaVerb: Verb {
    let name = "lua"
    let summary = "run a line of Lua with the crm API: lua x = crm.count(\"customer\")"
    let usage = ["lua <code>"]
    let details = """
        The prompt keeps one Lua environment, so variables set by one line are seen by the
        next. Scripts and the prompt have every permission. Print a value with = <expr>.

        Example:
          lua n = crm.count("customer", "city = 上海")
          = n
        """
    let completion = CompletionShape.nothing

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        // The shell hands the raw text to Lua before tokenizing (see Session.execute).
        throw SyntaxError(message: "usage: lua <code>", position: args.position)
    }
}

/// `= <expr>`: prints a Lua value readably.
struct EvalVerb: Verb {
    let name = "="
    let summary = "print the value of a Lua expression: = crm.get(\"customer\", 1)"
    let usage = ["= <expression>"]
    let details = """
        Tables are printed with one key per line, nested tables indented.

        Example:
          = crm.aggregate("customer", "count", nil, { by = "city" })
        """
    let completion = CompletionShape.nothing

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        throw SyntaxError(message: "usage: = <expression>", position: args.position)
    }
}

/// A verb a plugin added with crm.command.
struct PluginCommandVerb: Verb {
    let definition: CommandDefinition
    var name: String { definition.name }
    var summary: String { definition.summary + " (plugin \(definition.plugin))" }
    var usage: [String] { [definition.usage] }
    var details: String {
        var text = definition.details
        if !definition.parameters.isEmpty {
            text += (text.isEmpty ? "" : "\n\n") + "Parameters:\n" + definition.parameters.map {
                "  \($0.name): \($0.type.name)\($0.required ? ", required" : "")\($0.defaultText.map { ", default \($0)" } ?? "")\($0.label.map { " — \($0)" } ?? "")"
            }.joined(separator: "\n")
        }
        return text + "\n\nDefined at \(definition.location)."
    }
    var completion: CompletionShape {
        .parameters(definition.parameters.map { p in
            var choices: [String] = []
            if case .enumeration(let values) = p.type { choices = values }
            if case .bool = p.type { choices = ["yes", "no"] }
            return (p.name, choices, p.entity)
        })
    }

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        var positional: [String] = []
        var named: [String: String] = [:]
        while !args.atEnd {
            if let t = args.peek, t.kind == .word, args.index + 1 < args.tokens.count,
               args.tokens[args.index + 1].kind == .symbol, args.tokens[args.index + 1].text == "=",
               definition.parameters.contains(where: { $0.name == t.text }) {
                for (field, value, _) in try args.assignments() { named[field.text] = value }
                continue
            }
            positional.append(args.gluedValue().text)
        }
        return try session.pluginHost().runCommand(definition.name, positional: positional, named: named)
    }
}
