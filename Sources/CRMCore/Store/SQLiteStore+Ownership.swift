/// A write to a plugin's entity while that plugin is not loaded: its rules cannot run,
/// so its records are read-only until it loads (else `--no-plugins` would bypass them).
public struct PluginNotLoaded: Error, CustomStringConvertible {
    public var entity: String
    public var plugin: String
    /// Why it is not loaded: not enabled, failed to load, plugins off.
    public var reason: String

    public init(entity: String, plugin: String, reason: String) {
        self.entity = entity
        self.plugin = plugin
        self.reason = reason
    }

    public var description: String {
        "\(entity) belongs to plugin \(plugin), which is not loaded (\(reason)); its records are read-only until "
            + "it loads, so its rules cannot be bypassed (enable it with: plugin enable \(plugin))"
    }
}

extension SQLiteStore {
    /// Refuses a create, update or delete of an entity owned by a plugin that is not
    /// loaded, in every mode (shell, import, Lua). Core entities, even with fields a
    /// plugin added through `crm.extend`, stay writable.
    public func requireOwnerLoaded(_ e: EntityDefinition) throws {
        guard e.owner != "core" else { return }
        guard let rules else {
            throw PluginNotLoaded(entity: e.name, plugin: e.owner, reason: "plugins are off in this run (--no-plugins)")
        }
        if let reason = rules.inactiveReason(plugin: e.owner) {
            throw PluginNotLoaded(entity: e.name, plugin: e.owner, reason: reason)
        }
    }
}
