/// What a role may do with the records of an entity.
public enum AccessRight: String, CaseIterable, Sendable {
    case read, create, update, delete, `import`, export
}

/// Which customers (and the records that reference them) a role sees.
public enum AccessScope: String, Sendable {
    /// The customers the user owns.
    case own
    /// The customers owned by anyone in the user's team.
    case team
    /// Every customer.
    case all
}

/// A role, as data: which customers it sees, whose private fields it sees unmasked, and
/// its rights per entity (`"*"` for every entity not named).
public struct Role: Sendable, Equatable {
    public var name: String
    public var summary: String
    public var scope: AccessScope
    /// Private fields shown unmasked: of every visible customer (`all`), of the customers
    /// the user owns (`own`), or of none (`none`, an auditor).
    public var privateFields: PrivateVisibility
    /// Rights by entity name; `"*"` applies to the entities not listed.
    public var rights: [String: Set<AccessRight>]
    /// Whether the role may grant and revoke rights (admins).
    public var administers: Bool
    /// Private fields (`entity.field`) shown unmasked on every row the role sees, beside
    /// what `privateFields` allows: a credit officer sees ID numbers and loan balances.
    public var unmasked: Set<String>
    /// Who declared it: `core`, or the plugin of a `crm.role`.
    public var owner: String

    public enum PrivateVisibility: String, Sendable { case all, own, none }

    public init(name: String, summary: String, scope: AccessScope, privateFields: PrivateVisibility,
                rights: [String: Set<AccessRight>], administers: Bool = false, unmasked: Set<String> = [],
                owner: String = "core") {
        self.name = name
        self.summary = summary
        self.scope = scope
        self.privateFields = privateFields
        self.rights = rights
        self.administers = administers
        self.unmasked = unmasked
        self.owner = owner
    }

    /// The rights of this role on one entity.
    public func rights(on entity: String) -> Set<AccessRight> {
        rights[entity] ?? rights["*"] ?? []
    }

    static let readOnly: Set<AccessRight> = [.read]
    static let change: Set<AccessRight> = [.read, .create, .update, .delete]
    static let everything = Set(AccessRight.allCases)

    /// The roles the core ships; plugins add theirs (`crm.role`), which `Roles` merges.
    public static let core: [Role] = [
        Role(name: "admin", summary: "everything, every customer; grants and revokes",
             scope: .all, privateFields: .all, rights: ["*": everything], administers: true),
        Role(name: "manager", summary: "the team's customers; private fields of own customers",
             scope: .team, privateFields: .own, rights: ["*": everything, "user": readOnly]),
        Role(name: "agent", summary: "own customers and what references them; no import or export",
             scope: .own, privateFields: .own, rights: ["*": change, "user": readOnly]),
        Role(name: "auditor", summary: "every customer, read-only, private fields masked",
             scope: .all, privateFields: .none, rights: ["*": [.read, .export]]),
        Role(name: "service", summary: "any caller's customer (masked); interactions, tasks and tickets",
             scope: .all, privateFields: .none,
             rights: ["*": readOnly, "interaction": change, "task": change, "ticket": change]),
        Role(name: "finance", summary: "every customer read and exported, private fields masked",
             scope: .all, privateFields: .none, rights: ["*": [.read, .export]]),
    ]

    /// The access role a `user.role` value means: `sales` and `other` are agents, the
    /// other values name a role of their own.
    public static func named(userRole: String) -> String {
        switch userRole {
        case "sales", "other": return "agent"
        default: return userRole
        }
    }
}
