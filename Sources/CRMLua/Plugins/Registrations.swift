import CRMCore

/// A rule: a Lua function a plugin hooks before or after writes to an entity.
public struct RuleDefinition: Sendable {
    public enum Timing: String, Sendable { case before, after }
    public var plugin: String
    public var name: String
    public var timing: Timing
    public var actions: Set<WriteAction>
    /// The entity watched; `*` watches every entity.
    public var entity: String
    /// `file:line` where the function is defined.
    public var location: String
    var function: Int32
}

/// A typed parameter of a report or a plugin command.
public struct ParameterDefinition: Sendable {
    public var name: String
    public var type: FieldType
    public var defaultText: String?
    public var required: Bool
    public var label: String?
    /// For reference parameters: completion and lookup by title use this entity.
    public var entity: String? {
        if case .reference(let e) = type { return e }
        return nil
    }
}

/// A report: parameters and a function returning columns and rows (and a chart).
public struct ReportDefinition: Sendable {
    public var plugin: String
    public var name: String
    public var label: String
    public var parameters: [ParameterDefinition]
    public var location: String
    var function: Int32
}

/// A verb a plugin adds to the shell.
public struct CommandDefinition: Sendable {
    public var plugin: String
    public var name: String
    public var summary: String
    public var usage: String
    public var details: String
    public var parameters: [ParameterDefinition]
    public var location: String
    var function: Int32
}

/// Scheduled work: `crm jobs run` runs it when `every` has passed since its last run.
public struct JobDefinition: Sendable {
    public var plugin: String
    public var name: String
    public var label: String
    /// Seconds between runs.
    public var every: Int
    public var location: String
    var function: Int32

    public var key: String { "\(plugin).\(name)" }
}

/// A role a plugin declares (`crm.role`), as plain data: the policy reads `role` (the
/// store's `pluginRoles`, set from `PluginHost.roles` once plugins have loaded), so the
/// declarations can be cached with a plugin's other declarations.
public struct RoleDefinition: Sendable {
    public var plugin: String
    /// `file:line` of the declaration.
    public var location: String
    public var role: Role
}
