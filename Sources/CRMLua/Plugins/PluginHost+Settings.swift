import CRMCore
import Foundation

/// Per-database state of plugins: which are enabled, what they are granted, their settings.
extension PluginHost {
    /// The host's own settings, shown and set like a plugin's under the name `lua`.
    public static let hostSettings: [SettingDefinition] = [
        SettingDefinition(name: "instructions", type: .integer, defaultText: "100000000",
                          label: "Lua instructions one rule, report, command or job may run"),
        SettingDefinition(name: "memory_mb", type: .integer, defaultText: "256",
                          label: "Memory all plugins together may hold (MiB)"),
        SettingDefinition(name: "seconds", type: .integer, defaultText: "5",
                          label: "Seconds one rule, report, command or job may take (scripts and the prompt: no limit)"),
    ]

    /// Who may move the clock with `crm.set_now`: scripts, the prompt and tests; never a
    /// plugin's own code.
    static let clockSetters: Set<String> = ["(script)", "(prompt)", "(test)"]

    /// The names scripts and the prompt run under: they get every permission.
    static let trustedNames: Set<String> = ["(script)", "(prompt)", "(test)"]

    func memoryLimitSetting() throws -> Int {
        guard case .integer(let mb) = try setting(owner: "lua", name: "memory_mb"), mb > 0 else { return 256 << 20 }
        return Int(mb) << 20
    }

    func timeLimitSetting() throws -> Int64 {
        guard case .integer(let n) = try setting(owner: "lua", name: "seconds"), n > 0 else { return 5 }
        return n
    }

    func instructionBudgetSetting() throws -> Int64 {
        guard case .integer(let n) = try setting(owner: "lua", name: "instructions"), n > 0 else { return 100_000_000 }
        return n
    }

    // MARK: Enabling

    /// Enables a plugin and the plugins it requires, then reloads. Returns the names enabled.
    @discardableResult
    public func enable(_ name: String) throws -> [String] {
        guard let item = listing(name) else { throw unknownPlugin(name) }
        if let problem = item.problem { throw PluginError(plugin: name, what: "loading", message: problem) }
        var names = try enabledNames()
        var added: [String] = []
        func add(_ n: String) throws {
            guard !names.contains(n) else { return }
            guard let l = listing(n), let m = l.manifest else {
                throw PluginError(plugin: name, message: "requires plugin '\(n)', which is not installed (looked in \(searchPaths.joined(separator: ", ")))")
            }
            names.append(n)
            added.append(n)
            for r in m.requires { try add(r) }
        }
        try add(name)
        let before = try enabledNames()
        try setEnabled(names)
        try reload()
        // A plugin that does not load is not left enabled: the admin fixes it and enables again.
        if let problem = problems.first(where: { added.contains($0.plugin ?? "") }) {
            try setEnabled(before)
            try reload()
            throw problem
        }
        return added
    }

    /// Disables a plugin (its tables and data stay). Refuses while an enabled plugin requires it.
    public func disable(_ name: String) throws {
        var names = try enabledNames()
        guard names.contains(name) else { throw PluginError(plugin: name, message: "is not enabled") }
        let dependants = names.filter { listing($0)?.manifest?.requires.contains(name) ?? false }
        if !dependants.isEmpty {
            throw PluginError(plugin: name, message: "is required by \(dependants.joined(separator: ", ")); disable those first")
        }
        names.removeAll { $0 == name }
        try setEnabled(names)
        try reload()
    }

    func unknownPlugin(_ name: String) -> PluginError {
        let hint = NameSuggestion.hint(for: name, in: available.map(\.name))
        return PluginError(plugin: nil, message: "no plugin named '\(name)'\(hint) (looked in \(searchPaths.joined(separator: ", ")))")
    }

    // MARK: Permissions

    public func grants(of plugin: String) throws -> [String] {
        guard let text = try store.meta("grant.\(plugin)") else { return [] }
        return text.split(separator: ",").map(String.init)
    }

    /// Grants a permission the plugin's manifest asks for.
    public func grant(_ plugin: String, _ permission: String) throws {
        guard let manifest = listing(plugin)?.manifest else { throw unknownPlugin(plugin) }
        guard PluginManifest.knownPermissions.contains(permission) else {
            throw PluginError(plugin: plugin, message: "unknown permission '\(permission)'; the permissions are: \(PluginManifest.knownPermissions.joined(separator: ", "))")
        }
        guard manifest.permissions.contains(permission) else {
            throw PluginError(plugin: plugin, message: "does not ask for '\(permission)' (its plugin.lua lists: \(manifest.permissions.isEmpty ? "none" : manifest.permissions.joined(separator: ", ")))")
        }
        var granted = try grants(of: plugin)
        if !granted.contains(permission) { granted.append(permission) }
        try store.setMeta("grant.\(plugin)", granted.sorted().joined(separator: ","))
    }

    public func revoke(_ plugin: String, _ permission: String) throws {
        let granted = try grants(of: plugin).filter { $0 != permission }
        try store.setMeta("grant.\(plugin)", granted.isEmpty ? nil : granted.joined(separator: ","))
    }

    func isPermitted(plugin: String, permission: String) throws -> Bool {
        if PluginHost.trustedNames.contains(plugin) { return true }
        guard let manifest = listing(plugin)?.manifest, manifest.permissions.contains(permission) else { return false }
        return try grants(of: plugin).contains(permission)
    }

    // MARK: Settings

    /// The settings of a plugin (or `lua` for the host's own).
    public func settingDefinitions(owner: String) -> [SettingDefinition]? {
        if owner == "lua" { return PluginHost.hostSettings }
        if owner == "analytics" {
            return AnalyticsSettings.definitions.map { SettingDefinition(name: $0.name, type: $0.type, defaultText: $0.defaultText, label: $0.label) }
        }
        if let module = ModuleSettings.all[owner] {
            return module.map { SettingDefinition(name: $0.name, type: $0.type, defaultText: $0.defaultText, label: $0.label) }
        }
        return listing(owner)?.manifest?.settings
    }

    /// Every setting: `owner.name`, its value as text, whether it is the default.
    public func allSettings() throws -> [(key: String, value: String, isDefault: Bool, label: String)] {
        var out: [(String, String, Bool, String)] = []
        let owners = ["lua", "analytics"] + ModuleSettings.owners + loaded.map(\.name)
        for owner in owners {
            for s in settingDefinitions(owner: owner) ?? [] {
                let stored = try store.meta("setting.\(owner).\(s.name)")
                out.append(("\(owner).\(s.name)", stored ?? s.defaultText ?? "", stored == nil, s.label ?? ""))
            }
        }
        return out
    }

    /// A setting's value, typed: the stored one, else the default.
    public func setting(owner: String, name: String) throws -> Value {
        guard let def = settingDefinitions(owner: owner)?.first(where: { $0.name == name }) else {
            let known = settingDefinitions(owner: owner)?.map(\.name) ?? []
            throw LuaArgumentError("crm.setting: \(owner) has no setting '\(name)'\(NameSuggestion.hint(for: name, in: known))"
                                   + " (declare it in plugin.lua under settings)")
        }
        guard let text = try store.meta("setting.\(owner).\(name)") ?? def.defaultText else { return .null }
        return try ValueParser(clock: store.clock).parse(text, as: def.type)
    }

    func settingValue(plugin: String, name: String) throws -> Value {
        // A script may read any plugin's setting as "plugin.name".
        if PluginHost.trustedNames.contains(plugin) || name.contains(".") {
            let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
            if parts.count == 2 { return try setting(owner: parts[0], name: parts[1]) }
        }
        return try setting(owner: plugin, name: name)
    }

    /// Sets `owner.name` to typed text (checked against the setting's type); nil resets it.
    /// Computed fields that read the setting are recomputed in the same transaction.
    @discardableResult
    public func setSetting(_ key: String, _ text: String?) throws -> RecomputeSummary {
        let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, let defs = settingDefinitions(owner: parts[0]) else {
            let keys = try allSettings().map(\.key)
            throw PluginError(plugin: nil, message: "no setting '\(key)'\(NameSuggestion.hint(for: key, in: keys)); settings are plugin.name (see: setting)")
        }
        guard let def = defs.first(where: { $0.name == parts[1] }) else {
            throw PluginError(plugin: parts[0], message: "has no setting '\(parts[1])'\(NameSuggestion.hint(for: parts[1], in: defs.map(\.name)))")
        }
        if let text {
            do { _ = try ValueParser(clock: store.clock).parse(text, as: def.type) } catch {
                throw PluginError(plugin: parts[0], message: "setting \(parts[1]): '\(text)' is not \(def.type.expectation)")
            }
        }
        if parts[0] == "lua" {
            try store.setMeta("setting.\(key)", text)
            lua.memoryLimit = try memoryLimitSetting()
            lua.instructionBudget = try instructionBudgetSetting()
            lua.timeLimit = try timeLimitSetting()
            return RecomputeSummary(recomputed: 0, changed: 0)
        }
        guard computeGraph.entities(readingSetting: key).isEmpty == false else {
            try store.setMeta("setting.\(key)", text)
            return RecomputeSummary(recomputed: 0, changed: 0)
        }
        return try store.atomically {
            try store.setMeta("setting.\(key)", text)
            return try store.recompute(readingSetting: key)
        }
    }
}
