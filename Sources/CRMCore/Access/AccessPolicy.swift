/// What one caller may see and do: the single policy every read and write of a store
/// goes through (docs/access.md).
///
/// The policy is store-independent: it produces, per entity, the condition a row must
/// meet to be visible and the expression each private column is shown as. Both stores apply
/// them as temporary views shadowing the entity tables while a read runs
/// (`SQLiteStore+Access`, `PostgresStore+Access`), spelled per store by a `PolicyDialect`.
public struct AccessPolicy: Sendable, Equatable {
    /// The caller as the audit history names them.
    public var user: String
    /// Their `user` record, if they have one.
    public var userID: Int64?
    public var team: String?
    /// The users of their team (themselves included), for a team scope.
    public var teamIDs: [Int64]
    public var role: Role
    /// Rights granted on top of the role, by entity (`"*"`: every entity).
    public var granted: [String: Set<AccessRight>]
    /// Granted the right to see every visible customer's private fields.
    public var grantedPrivate: Bool

    public init(user: String, userID: Int64?, team: String?, teamIDs: [Int64], role: Role,
                granted: [String: Set<AccessRight>] = [:], grantedPrivate: Bool = false) {
        self.user = user
        self.userID = userID
        self.team = team
        self.teamIDs = teamIDs
        self.role = role
        self.granted = granted
        self.grantedPrivate = grantedPrivate
    }

    /// The rights on an entity: the role's and the granted ones.
    public func rights(on entity: String) -> Set<AccessRight> {
        role.rights(on: entity).union(granted[entity] ?? []).union(granted["*"] ?? [])
    }

    public func may(_ right: AccessRight, _ entity: String) -> Bool { rights(on: entity).contains(right) }

    /// Sees private fields of every customer it sees.
    public var seesAllPrivate: Bool { grantedPrivate || role.privateFields == .all }
    /// Sees this private field unmasked on every row it sees (all private fields, or the
    /// role names it).
    public func seesUnmasked(_ f: FieldDefinition, of entity: String) -> Bool {
        seesAllPrivate || role.unmasked.contains("\(entity).\(f.name)")
    }
    /// Sees every row of every entity unmasked: no views needed.
    public var isUnrestricted: Bool { role.scope == .all && seesAllPrivate && role.rights.values.allSatisfy { $0.contains(.read) } }

    /// The customer condition of the role's scope over the customer row `alias`, nil
    /// when every customer is visible.
    func customerCondition(_ alias: String) -> String? {
        switch role.scope {
        case .all: return nil
        case .own: return "\(alias).\"owner\" = \(userID ?? 0)"
        case .team:
            let ids = teamIDs.isEmpty ? [userID ?? 0] : teamIDs
            return "\(alias).\"owner\" IN (\(ids.map(String.init).joined(separator: ", ")))"
        }
    }

    /// How each entity hangs off `customer`: the reference field leading one step closer
    /// (nil for customer itself), found from the schema so new and plugin entities are
    /// covered without being named. Entities that reach no customer are absent.
    public static func customerPaths(_ schema: Schema) -> [String: (field: String?, target: String, depth: Int)] {
        var paths: [String: (field: String?, target: String, depth: Int)] = [CoreEntities.customer.name: (nil, "", 0)]
        var changed = true
        while changed {
            changed = false
            for e in schema.entities where paths[e.name] == nil {
                var best: (field: String, target: String, depth: Int)?
                for f in e.fields {
                    guard case .reference(let target) = f.type, target != e.name, let p = paths[target] else { continue }
                    if best == nil || p.depth < best!.depth { best = (f.name, target, p.depth) }
                }
                if let best {
                    paths[e.name] = (best.field, best.target, best.depth + 1)
                    changed = true
                }
            }
        }
        return paths
    }

    typealias Paths = [String: (field: String?, target: String, depth: Int)]

    /// A condition on the row `alias` of `entity` through its customer: `customer` holds
    /// for the customer row at the end of the path. Each step is a correlated lookup by
    /// primary key (cheap per row at a million customers), never a list of all ids.
    func throughCustomer(_ entity: String, _ alias: String, paths: Paths, orEmpty: Bool, dialect: PolicyDialect = .sqlite,
                         customer: (String) -> String?) -> String? {
        guard let path = paths[entity] else { return nil }
        guard let field = path.field else { return customer(alias) }
        let parent = "_p\(path.depth)"
        guard let inner = throughCustomer(path.target, parent, paths: paths, orEmpty: orEmpty, dialect: dialect, customer: customer) else { return nil }
        let column = "\(alias).\(quotedName(field))"
        let exists = "EXISTS (SELECT 1 FROM \(dialect.table(path.target)) AS \(parent) WHERE \(parent).id = \(column) AND \(inner))"
        return orEmpty ? "(\(column) IS NULL OR \(exists))" : exists
    }

    /// The visibility condition of the row `alias` of an entity, nil when every row is visible.
    func visibleCondition(_ entity: String, _ alias: String, paths: Paths, dialect: PolicyDialect = .sqlite) -> String? {
        guard role.scope != .all, paths[entity] != nil else { return nil }
        return throughCustomer(entity, alias, paths: paths, orEmpty: true, dialect: dialect) { customerCondition($0) }
    }

    /// Whether the row `alias` belongs to a customer the caller owns.
    public func ownCondition(_ entity: String, _ alias: String, paths: [String: (field: String?, target: String, depth: Int)],
                             dialect: PolicyDialect = .sqlite) -> String {
        throughCustomer(entity, alias, paths: paths, orEmpty: false, dialect: dialect) { "\($0).\"owner\" = \(userID ?? 0)" } ?? dialect.never
    }

    /// The expression a column is shown as: itself, or masked where the caller may not see it.
    func columnExpression(_ f: FieldDefinition, of entity: String, _ alias: String, paths: Paths, dialect: PolicyDialect = .sqlite) -> String {
        let column = "\(alias).\(quotedName(f.name))"
        guard f.isPrivate, !seesUnmasked(f, of: entity) else { return "\(column) AS \(quotedName(f.name))" }
        let masked = dialect.mask(column, Mask.kind(of: f))
        if role.privateFields == .none { return "\(masked) AS \(quotedName(f.name))" }
        return "CASE WHEN \(ownCondition(entity, alias, paths: paths, dialect: dialect)) THEN \(dialect.shown(column, f)) ELSE \(masked) END AS \(quotedName(f.name))"
    }

    /// The amount fields (money, decimal) the views show as a masking expression, by name,
    /// where every entity masking that name agrees on its type. SQLite knows no column
    /// behind such an expression, so `crm.query` looks the type up here to give an owner's
    /// own (unmasked) amounts, and their sums, as amounts rather than stored units.
    public func maskedAmountTypes(_ schema: Schema) -> [String: FieldType] {
        guard !isUnrestricted else { return [:] }
        var types: [String: FieldType] = [:]
        var conflicting: Set<String> = []
        for e in schema.entities {
            for f in e.fields where f.isPrivate && f.type.scale != nil && !seesUnmasked(f, of: e.name) {
                let name = f.name.lowercased()
                if let known = types[name], known != f.type { conflicting.insert(name) } else { types[name] = f.type }
            }
        }
        for name in conflicting { types[name] = nil }
        return types
    }

    /// Whether the caller sees this entity's private fields unmasked on every row.
    public func seesPrivate(of e: EntityDefinition) -> Bool {
        !e.fields.contains { $0.isPrivate && !seesUnmasked($0, of: e.name) }
    }

    /// The SELECT each restricted entity is to be read through, by entity: its visible
    /// rows with private columns masked. Entities read as they are are absent.
    public func views(_ schema: Schema, dialect: PolicyDialect = .sqlite) -> [(entity: String, select: String)] {
        guard !isUnrestricted else { return [] }
        let paths = AccessPolicy.customerPaths(schema)
        var result: [(entity: String, select: String, depth: Int)] = []
        for e in schema.entities {
            let condition = may(.read, e.name) ? visibleCondition(e.name, "_t", paths: paths, dialect: dialect) : dialect.never
            let masks = e.fields.contains { $0.isPrivate && !seesUnmasked($0, of: e.name) }
            guard condition != nil || masks else { continue }
            let columns = ["_t.\"id\""] + e.fields.map { columnExpression($0, of: e.name, "_t", paths: paths, dialect: dialect) } + ["_t.\"created\"", "_t.\"updated\""]
            var select = "SELECT \(columns.joined(separator: ", ")) FROM \(dialect.table(e.name)) AS _t"
            if let condition { select += " WHERE \(condition)" }
            result.append((e.name, select, paths[e.name]?.depth ?? Int.max))
        }
        return result.sorted { $0.depth < $1.depth }.map { ($0.entity, $0.select) }
    }

    /// The SELECT each series is to be read through when its key entity is restricted:
    /// the readings of the key records the caller sees (a primary-key lookup per reading),
    /// none when the caller may not read the key entity. Series whose keys are all visible
    /// are absent.
    public func seriesViews(_ series: [SeriesDefinition], _ schema: Schema, dialect: PolicyDialect = .sqlite) -> [(entity: String, select: String)] {
        guard !isUnrestricted, !series.isEmpty else { return [] }
        let paths = AccessPolicy.customerPaths(schema)
        return series.compactMap { s in
            let condition = may(.read, s.keyEntity) ? visibleCondition(s.keyEntity, "_k", paths: paths, dialect: dialect) : dialect.never
            guard let condition else { return nil }
            let select = "SELECT * FROM \(dialect.table(s.name)) AS _t WHERE EXISTS (SELECT 1 FROM \(dialect.table(s.keyEntity)) AS _k "
                + "WHERE _k.id = _t.\(quotedName(s.key)) AND \(condition))"
            return (s.name, select)
        }
    }
}

/// `"name"`, with inner quotes doubled.
public func quotedName(_ name: String) -> String {
    // Most names have no quote: skip Foundation's search-and-replace, which policy views
    // call hundreds of times per read.
    guard name.utf8.contains(UInt8(ascii: "\"")) else { return "\"" + name + "\"" }
    return "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
