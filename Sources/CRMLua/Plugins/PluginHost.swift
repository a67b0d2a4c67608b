import CLua
import CRMCore
import Foundation

/// Loads Lua plugins into one Lua state and hosts what they register: entities, rules,
/// reports, commands, jobs and settings. It is the store's `WriteRules`.
///
/// Plugins load in dependency order (then by name); a plugin that fails to load is
/// reported with `file:line`, its registrations are dropped, and the others go on.
/// `reload()` builds a fresh state and loads everything again.
public final class PluginHost: WriteRules {
    public let store: CRMStore
    /// Folders holding plugin folders, earliest first; a later folder's plugin of the same
    /// name replaces an earlier one (a user's copy overrides the bundled one).
    public var searchPaths: [String]
    /// Parses the shell's filter language (`city = 上海 and created > -7d`).
    public var parseFilter: (String) throws -> Filter
    /// Parses `name desc, created`.
    public var parseOrder: (String) throws -> [SortKey]
    /// Where `crm.log` and `print` go.
    public var log: (String) -> Void
    /// When set, every rule that runs reports here (`--trace`, `trace on`).
    public var trace: ((String) -> Void)?

    /// Every plugin found on the search paths, by name.
    public internal(set) var available: [PluginListing] = []
    /// Plugins loaded, in load order.
    public internal(set) var loaded: [PluginManifest] = [] {
        didSet { readScopes = [:] }  // a plugin reads those it requires, once loaded
    }
    /// Plugins that could not load, and why.
    public internal(set) var problems: [PluginError] = []
    public internal(set) var rules: [RuleDefinition] = []
    public internal(set) var reports: [ReportDefinition] = []
    public internal(set) var commands: [CommandDefinition] = []
    public internal(set) var jobs: [JobDefinition] = []
    /// Roles the loaded plugins declare (`crm.role`); the store's policy reads them.
    public internal(set) var roles: [RoleDefinition] = []
    /// Where the loaded plugins' purchases are (`crm.value_source`); empty means won deals.
    public internal(set) var valueSources: [ValueSource] = []
    /// Satisfaction answers the loaded plugins declare (`crm.survey_source`), beside core tickets.
    public internal(set) var surveySources: [SurveySource] = []

    var lua: LuaState!
    /// The clock the run started with; `crm.set_now()` goes back to it.
    let startClock: Clock
    /// The prelude's table: make_env, load_in, show.
    var preludeRef: Int32 = LUA_NOREF
    /// Each loaded plugin's environment, by plugin name.
    var environments: [String: Int32] = [:]
    /// What the plugin being loaded has registered so far (kept only if it loads).
    var pending = Registrations()
    var loadingPlugin: String?
    /// How deep rules calling writes calling rules go.
    var ruleDepth = 0
    static let maxRuleDepth = 16
    /// The folder `require` searches for scripts and the prompt, by their run name.
    var scriptFolders: [String: String] = [:]
    /// The prompt's environment: `lua x = 1` then `= x` sees it.
    var promptEnvironment: Int32?
    /// `action entity` pairs some rule watches (`*` for every entity).
    var watched: Set<String> = []
    /// The series this database declares, read once per start for `crm.query`'s scope
    /// (rules may query once per imported row).
    var knownSeries: [SeriesDefinition]? {
        didSet { if knownSeries == nil { readScopes = [:] } }
    }
    /// `crm.query`'s scope per caller, with the entity names it was built from.
    var readScopes: [String: (names: [String], scope: ReadScope)] = [:]
    /// Where each loaded plugin's entity is defined (`banking/entities.lua:33`), for clash errors.
    var entityOrigins: [String: String] = [:]
    /// The same for the plugin being loaded (kept only if it loads).
    var pendingOrigins: [String: String] = [:]
    /// The computed fields of the loaded plugins, checked as a whole.
    var computeGraph = ComputeGraph()
    /// Computed fields the plugin being loaded has declared so far.
    var pendingComputed: [ComputedField] = []

    public init(store: CRMStore, searchPaths: [String],
                parseFilter: @escaping (String) throws -> Filter,
                parseOrder: @escaping (String) throws -> [SortKey],
                log: @escaping (String) -> Void) {
        self.store = store
        self.startClock = store.clock
        self.searchPaths = searchPaths
        self.parseFilter = parseFilter
        self.parseOrder = parseOrder
        self.log = log
    }

    /// The folders searched by default: the bundled plugins (`<exe>/../share/crm/plugins`
    /// for an installed crm, else a `plugins/` found by walking up from the executable, as
    /// in a build folder, else — a binary copied elsewhere — `crm/plugins` in
    /// `$XDG_DATA_DIRS` or the checkout it was built from), then `$XDG_CONFIG_HOME/crm/plugins`.
    public static func defaultSearchPaths(executable: String, environment: [String: String]) -> [String] {
        var paths: [String] = []
        var dir = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        let installed = dir.deletingLastPathComponent().appendingPathComponent("share/crm/plugins").path
        var isInstalled: ObjCBool = false
        if FileManager.default.fileExists(atPath: installed, isDirectory: &isInstalled), isInstalled.boolValue {
            paths.append(installed)
        }
        for _ in 0..<(paths.isEmpty ? 6 : 0) {
            let candidate = dir.appendingPathComponent("plugins").path
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDir), isDir.boolValue {
                paths.append(candidate)
                break
            }
            dir = dir.deletingLastPathComponent()
        }
        if paths.isEmpty {
            // A binary copied away from both: the system's installed plugins, else the
            // checkout it was built from, if that is still there.
            let dataDirs = (environment["XDG_DATA_DIRS"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/local/share:/usr/share")
                .split(separator: ":").map { String($0) + "/crm/plugins" }
            let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("plugins").path
            for candidate in dataDirs + [checkout] {
                var isDir: ObjCBool = false
                if candidate.hasPrefix("/"), FileManager.default.fileExists(atPath: candidate, isDirectory: &isDir), isDir.boolValue {
                    paths.append(candidate)
                    break
                }
            }
        }
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") {
            paths.append(config + "/crm/plugins")
        } else if let home = environment["HOME"], !home.isEmpty {
            paths.append(home + "/.config/crm/plugins")
        }
        return paths
    }

    // MARK: Starting

    /// Builds the Lua state, finds the plugins and loads the enabled ones. Problems with
    /// single plugins end up in `problems`; only a broken host throws.
    public func start() throws {
        store.rules = nil
        lua = LuaState()
        lua.memoryLimit = try memoryLimitSetting()
        lua.instructionBudget = try instructionBudgetSetting()
        lua.timeLimit = try timeLimitSetting()
        rules = []; reports = []; commands = []; jobs = []; valueSources = []; surveySources = []; loaded = []; problems = []
        roles = []
        knownSeries = nil
        readScopes = [:]
        computeGraph = ComputeGraph()
        environments = [:]
        entityOrigins = [:]
        promptEnvironment = nil
        try lua.runTrusted(Prelude.source, chunkName: "=crm prelude", arguments: {
            pushHostTable()
            return 1
        }, results: 1)
        preludeRef = lua.reference()
        available = catalog()
        try loadEnabled()
        try declareRoles()  // the policy knows the plugins' roles before any command runs
        rebuildWatches()
        store.rules = self
    }

    /// Drops every plugin and loads them again from disk (after editing a file).
    public func reload() throws {
        try start()
    }

    /// Plugins named in this database's enabled list, in the order they load.
    public func enabledNames() throws -> [String] {
        guard let text = try store.meta("plugins.enabled"), let data = text.data(using: .utf8),
              let names = try? JSONDecoder().decode([String].self, from: data) else { return [] }
        return names
    }

    func setEnabled(_ names: [String]) throws {
        let data = try JSONEncoder().encode(Set(names).sorted())
        try store.setMeta("plugins.enabled", String(decoding: data, as: UTF8.self))
    }

    func loadEnabled() throws {
        let enabled = try enabledNames()
        var order: [String] = []
        var visiting: [String] = []
        func visit(_ name: String) {
            if order.contains(name) || visiting.contains(name) { return }
            visiting.append(name)
            if let manifest = listing(name)?.manifest {
                // A missing requirement is reported by the plugin that needs it.
                for r in manifest.requires where listing(r) != nil { visit(r) }
            }
            visiting.removeLast()
            order.append(name)
        }
        for name in enabled.sorted() { visit(name) }
        for name in order { load(name) }
    }

    func listing(_ name: String) -> PluginListing? {
        available.first { $0.name == name }
    }

    /// Loads one plugin; on failure records the problem and leaves nothing of it behind.
    func load(_ name: String) {
        guard let item = listing(name) else {
            problems.append(PluginError(plugin: name, what: "loading",
                                        message: "is enabled but not found in \(searchPaths.joined(separator: ", "))"))
            return
        }
        guard let manifest = item.manifest else {
            problems.append(PluginError(plugin: name, what: "loading", message: item.problem ?? "unreadable plugin.lua"))
            return
        }
        for r in manifest.requires where !loaded.contains(where: { $0.name == r }) {
            let why = listing(r) == nil ? "which is not installed" : "which did not load"
            problems.append(PluginError(plugin: name, what: "loading", location: "\(chunkName(manifest.folder, "plugin.lua")):1",
                                        message: "requires plugin '\(r)', \(why); skipped"))
            return
        }
        pending = Registrations()
        pendingComputed = []
        pendingOrigins = [:]
        loadingPlugin = name
        defer { loadingPlugin = nil }
        let top = lua.top
        do {
            let env = try makeEnvironment(plugin: name, withAPI: true)
            for module in modules(of: manifest) {
                try runModule(module, env: env)
            }
            try checkPendingComputed()
            try installPending(plugin: name)
            environments[name] = env
            entityOrigins.merge(pendingOrigins) { $1 }
            rules += pending.rules
            reports += pending.reports
            commands += pending.commands
            jobs += pending.jobs
            valueSources += pending.valueSources
            surveySources += pending.surveySources
            roles += pending.roles
            loaded.append(manifest)
        } catch {
            lua.top = top
            for ref in pending.functionRefs { lua.release(ref) }
            for case .function(let ref, _) in pendingComputed.map(\.kind) { lua.release(ref) }
            pendingComputed = []
            problems.append(pluginError(error, plugin: name, what: "loading"))
        }
        pending = Registrations()
    }

    /// The modules a plugin runs after its manifest.
    func modules(of manifest: PluginManifest) -> [String] {
        if let listed = manifest.modules { return listed }
        return ["entities", "rules", "reports", "commands", "jobs"].filter {
            FileManager.default.fileExists(atPath: manifest.folder + "/" + $0 + ".lua")
        }
    }

    func runModule(_ module: String, env: Int32) throws {
        let top = lua.top
        defer { lua.top = top }
        // require() records the module as loaded in the plugin's own table.
        try callPrelude("require_in", pushing: {
            lua.pushReference(env)
            lua.push(module)
            return 2
        }, results: 0)
    }

    /// Turns whatever went wrong into a PluginError naming the plugin and what ran.
    func pluginError(_ error: Error, plugin: String?, what: String?, record: String? = nil) -> PluginError {
        if var e = error as? PluginError {
            if e.plugin == nil { e.plugin = plugin }
            return e
        }
        if let f = error as? LuaFailure {
            return PluginError(plugin: plugin, what: what, location: f.location, record: record,
                               message: f.message, traceback: f.traceback, kind: f.kind)
        }
        return PluginError(plugin: plugin, what: what, record: record, message: LuaState.describe(error))
    }

    /// A file's name as Lua reports it: relative to the folder holding the plugins
    /// (`membership/rules.lua` for `plugins/membership/rules.lua`).
    func chunkName(_ folder: String, _ file: String) -> String {
        URL(fileURLWithPath: folder).lastPathComponent + "/" + file
    }

    // MARK: Calling into the prelude

    /// Calls `prelude[name](...)` with what `pushing` pushes.
    func callPrelude(_ name: String, pushing: () -> Int32, results: Int32) throws {
        lua.pushReference(preludeRef)
        lua_getfield(lua.L, -1, name)
        lua_rotate(lua.L, -2, -1)
        crm_lua_pop(lua.L, 1)
        let n = pushing()
        try lua.call(arguments: n, results: results)
    }

    /// A fresh environment for a plugin or a script, as a registry reference.
    func makeEnvironment(plugin: String, withAPI: Bool) throws -> Int32 {
        try callPrelude("make_env", pushing: {
            lua.push(plugin)
            lua.push(withAPI)
            return 2
        }, results: 1)
        return lua.reference()
    }
}

/// What one plugin registers while it loads.
struct Registrations {
    var entities: [EntityDefinition] = []
    var extensions: [(entity: String, fields: [FieldDefinition], indexes: [IndexDefinition], location: String)] = []
    /// The `list` and `lookup` choices of each extension, by position in `extensions`.
    var extensionChoices: [ExtensionChoices] = []
    var rules: [RuleDefinition] = []
    var reports: [ReportDefinition] = []
    var commands: [CommandDefinition] = []
    var jobs: [JobDefinition] = []
    var valueSources: [ValueSource] = []
    var surveySources: [SurveySource] = []
    var roles: [RoleDefinition] = []

    var functionRefs: [Int32] {
        rules.map(\.function) + reports.map(\.function) + commands.map(\.function) + jobs.map(\.function)
    }
}
