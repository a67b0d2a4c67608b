import CRMCore

/// What `plugin.lua` declares: who the plugin is, what it needs, its settings.
public struct PluginManifest: Sendable {
    public var name: String
    public var version: String
    public var description: String
    /// Plugins that must be enabled (and are loaded) before this one.
    public var requires: [String]
    /// Permissions the plugin asks for (`execute`, `write`, `debug`); an admin grants them.
    public var permissions: [String]
    public var settings: [SettingDefinition]
    /// The modules loaded after the manifest, in order; default: whichever of
    /// `entities`, `rules`, `reports`, `commands`, `jobs` exist.
    public var modules: [String]?
    /// The plugin's folder.
    public var folder: String

    public static let knownPermissions = ["execute", "write", "debug"]
}

/// A setting a plugin (or the host) declares: typed, with a default, settable per database.
public struct SettingDefinition: Sendable {
    public var name: String
    public var type: FieldType
    public var defaultText: String?
    public var label: String?

    public init(name: String, type: FieldType, defaultText: String?, label: String? = nil) {
        self.name = name
        self.type = type
        self.defaultText = defaultText
        self.label = label
    }
}

/// A plugin found on disk: its manifest, or why it could not be read.
public struct PluginListing: Sendable {
    public var name: String
    public var folder: String
    public var manifest: PluginManifest?
    public var problem: String?
}

/// A problem with a plugin, with where it is and which plugin, rule or report it concerns.
public struct PluginError: WriteRefusal {
    public var plugin: String?
    /// What was running: `rule 'sales control'`, `report 'weekly'`, `loading`.
    public var what: String?
    /// `file:line` when known.
    public var location: String?
    /// The record concerned, e.g. `create deposit` or `update unit 12`.
    public var record: String?
    public var message: String
    public var traceback: String?
    /// The kind of failure from Lua, when it came from running Lua.
    public var kind: LuaFailure.Kind?

    public init(plugin: String?, what: String? = nil, location: String? = nil, record: String? = nil,
                message: String, traceback: String? = nil, kind: LuaFailure.Kind? = nil) {
        self.plugin = plugin
        self.what = what
        self.location = location
        self.record = record
        self.message = message
        self.traceback = traceback
        self.kind = kind
    }

    /// A rule's `crm.refuse` (not a bug, a budget or Ctrl-C).
    public var refusesTheRecord: Bool { kind == .refused }

    public var description: String {
        var head = ""
        if let location { head += location + ": " }
        var subject: [String] = []
        if let what { subject.append(what) }
        if let plugin { subject.append("plugin \(plugin)") }
        if !subject.isEmpty {
            head += subject.count == 2 ? "\(subject[0]) (\(subject[1]))" : subject[0]
            head += kind == .refused ? " refused" : ""
            if let record { head += kind == .refused ? " \(record)" : " on \(record)" }
            head += ": "
        }
        return head + message
    }
}
