import Foundation

/// The store-independent half of access control: how a policy is made from a user's
/// record and grants, what a grant may name, what a write may set, what the access log
/// records and how the audit history is masked. Each store (`SQLiteStore+Access`,
/// `PostgresStore+Access`) reads and writes the rows; the decisions are made here once.
extension AccessPolicy {
    /// The private number and date fields of `e` the caller sees masked on some rows or
    /// all, with the text of their mask. A filter compares such a field with its mask taken
    /// out (`NULLIF(field, '****')`): an owner's own amounts and dates compare as values, and
    /// a masked value matches no comparison (as text it would: `'****' > 1000` in SQLite,
    /// `'****-**-**' < '2025-01-01'` in both).
    public func maskedValueFields(_ e: EntityDefinition) -> [(field: FieldDefinition, mask: String)] {
        guard !isUnrestricted else { return [] }
        return e.fields.compactMap { f in
            guard f.isPrivate, !seesUnmasked(f, of: e.name) else { return nil }
            let kind = Mask.kind(of: f)
            return kind == .number || kind == .date ? (f, Mask.apply("", kind)) : nil
        }
    }

    /// The policy of `name`: their `user` record (`id`, `userRole`, `team`), their grants
    /// (`right`, `entity`: a `role` grant names the role), their team's user ids and the
    /// roles the database knows.
    public static func of(user name: String, id: Int64?, userRole: String?, team: String?,
                          grants: [(right: String, entity: String)], teamIDs: [Int64], roles: [Role]) -> AccessPolicy {
        var roleName = userRole.map(Role.named(userRole:))
        var granted: [String: Set<AccessRight>] = [:]
        var grantedPrivate = false
        for (right, entity) in grants {
            if right == "role" { roleName = entity }
            else if right == "private" { grantedPrivate = true }
            else if let r = AccessRight(rawValue: right) { granted[entity, default: []].insert(r) }
        }
        let role = roleName.flatMap { n in roles.first { $0.name == n } } ?? Role.none
        return AccessPolicy(user: name, userID: id, team: team, teamIDs: team?.isEmpty == false ? teamIDs : [], role: role,
                            granted: granted, grantedPrivate: grantedPrivate)
    }

    /// Whether the caller reads every row of an entity (then a record deleted since is
    /// theirs to see as it stood: `crm.get_as_of`).
    public func seesEveryRow(of entity: String, _ schema: Schema) -> Bool {
        may(.read, entity) && visibleCondition(entity, "_t", paths: AccessPolicy.customerPaths(schema)) == nil
    }

    /// The refusal of a command this policy does not allow on an entity, or nil.
    public func denial(_ right: AccessRight, _ entity: String) -> AccessDenied? {
        guard !may(right, entity) else { return nil }
        return AccessDenied("\(user) (\(role.name)) may not \(right.rawValue) \(entity) records"
                            + " (an admin can allow it: grant \(user) \(right.rawValue) \(entity))")
    }

    /// The values a create or update of a customer stores: a new customer is the caller's
    /// when no owner is named, and a caller who does not see every customer gives
    /// customers only to themselves (own) or their team (team).
    public func ownedValues(_ right: AccessRight, _ e: EntityDefinition, _ values: [String: Value]) throws -> [String: Value] {
        guard e.name == CoreEntities.customer.name, role.scope != .all else { return values }
        var values = values
        if right == .create, values["owner"] == nil || values["owner"]!.isNull, let me = userID {
            values["owner"] = .integer(me)
        }
        if case .integer(let owner)? = values["owner"] {
            let allowed = role.scope == .own ? [userID ?? 0] : teamIDs
            guard allowed.contains(owner) else {
                throw AccessDenied("customer.owner: \(user) (\(role.name)) may only give customers to "
                                   + (role.scope == .own ? "themselves" : "their team") + ", not to user \(owner)")
            }
        }
        return values
    }

    /// Of the fields a read showed, the private ones shown unmasked on some row (the
    /// access log's `fields`).
    public func unmaskedShown(_ e: EntityDefinition, _ names: [String]) -> [String] {
        names.filter { n in
            e.fields.contains { $0.name == n && $0.isPrivate && (role.privateFields == .own || seesUnmasked($0, of: e.name)) }
        }
    }

    /// How the audit history's old and new texts of a record of `e` are shown: a private
    /// field's values (and the private keys of a create's or delete's JSON) masked, unless
    /// the caller sees them (`owns`: the caller owns the record and sees its own private fields).
    public func historyMasker(_ e: EntityDefinition, owns: Bool) -> (String, String?) -> String {
        guard !seesPrivate(of: e), !(owns && role.privateFields == .own) else { return { text, _ in text } }
        let kinds = Dictionary(e.fields.filter { $0.isPrivate && !seesUnmasked($0, of: e.name) }.map { ($0.name, Mask.kind(of: $0)) },
                               uniquingKeysWith: { a, _ in a })
        return { text, field in
            if let field { return kinds[field].map { Mask.apply(text, $0) } ?? text }
            guard text.hasPrefix("{"), let data = text.data(using: .utf8),
                  var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return text }
            for (name, kind) in kinds {
                if let v = object[name], !(v is NSNull) { object[name] = Mask.apply("\(v)", kind) }
            }
            guard let out = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return text }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// The condition on the key record `_t` of a series a caller writes readings of
    /// (`right` on its key entity: update to append, import to load a file), nil when every
    /// key is theirs; throws when the role lacks the right.
    public func seriesWriteCondition(_ series: SeriesDefinition, right: AccessRight, schema: Schema,
                                     dialect: PolicyDialect = .sqlite) throws -> String? {
        if let denial = denial(right, series.keyEntity) { throw denial }
        guard may(.read, series.keyEntity) else { return dialect.never }
        return visibleCondition(series.keyEntity, "_t", paths: AccessPolicy.customerPaths(schema), dialect: dialect)
    }

    /// The refusal of a series' loads (`history SERIES`) to a caller who sees only some
    /// of its keys: the loads count every key's readings.
    public func seriesLoadsDenial(_ series: SeriesDefinition) -> AccessDenied? {
        guard role.scope != .all else { return nil }
        return AccessDenied("history \(series.name): its loads count the readings of every \(series.keyEntity); "
                            + "\(user) (\(role.name)) sees only some")
    }

    /// The refusal of writing a computed choice on every customer (ABC classes, stages,
    /// tiers) by a caller who does not see them all, or nil.
    public func allCustomersDenial(_ what: String) -> AccessDenied? {
        guard role.scope != .all else { return nil }
        return AccessDenied("\(what) writes every customer's class; \(user) (\(role.name)) "
                            + "sees \(role.scope == .own ? "their own" : "their team's") customers only "
                            + "(a role that sees every customer does it: admin)")
    }
}

extension Role {
    /// A caller with no user record and no role: sees and may do nothing.
    static let none = Role(name: "none", summary: "not a user of this database", scope: .own,
                           privateFields: .none, rights: [:])
}

/// What `grant` and `revoke` may name, checked the same on every store.
public enum AccessGrants {
    /// What `grant`/`revoke` may name: a role, `private`, or a right on an entity.
    public static let rights = ["role", "private"] + AccessRight.allCases.map(\.rawValue)

    /// The refusal of an administrative command to a caller who is not an admin, or nil.
    public static func adminDenial(_ what: String, enabled: Bool, policy: AccessPolicy?, user: String) -> AccessDenied? {
        guard enabled else { return AccessDenied("access control is off: turn it on first with: access on") }
        guard let policy, policy.role.administers else {
            return AccessDenied("only an admin may \(what); you are \(user) (\(policy?.role.name ?? "none"))")
        }
        return nil
    }

    /// The object a grant of `right` stores (`entity`, `*`, or the role's name), after
    /// checking the right, the role and the entity exist and nobody grants themselves.
    public static func object(granting on: Bool, to target: String, by user: String, right: String, entity: String?,
                              roles: [Role], schema: Schema) throws -> String {
        guard target != user else {
            throw AccessDenied("nobody can \(on ? "grant" : "revoke") their own rights; ask another admin")
        }
        guard rights.contains(right) else {
            throw QueryError("unknown right '\(right)'\(NameSuggestion.hint(for: right, in: rights)); rights: \(rights.joined(separator: ", "))")
        }
        switch right {
        case "role":
            let names = roles.map(\.name)
            guard let name = entity else { throw QueryError("grant \(target) role NAME: which role (\(names.joined(separator: ", ")))") }
            guard names.contains(name) else {
                throw QueryError("unknown role '\(name)'\(NameSuggestion.hint(for: name, in: names)); roles: \(names.joined(separator: ", "))")
            }
            return name
        case "private":
            return "*"
        default:
            guard let entity, entity != "*" else { return "*" }
            _ = try schema.require(entity)
            return entity
        }
    }

    /// `users`: one row per user (id, name, role, team, sees, granted).
    public static func usersTable(_ rows: [(policy: AccessPolicy, grants: [(right: String, entity: String)])]) -> ResultTable {
        let table: [[Value]] = rows.map { p, grants in
            let granted = grants.filter { $0.right != "role" }.map { $0.entity == "*" ? $0.right : "\($0.right) \($0.entity)" }
            return [p.userID.map(Value.integer) ?? .null, .text(p.user), .text(p.role.name), p.team.map(Value.text) ?? .null,
                    .text(p.role.scope.rawValue), granted.isEmpty ? .null : .text(granted.joined(separator: ", "))]
        }
        return ResultTable(title: nil, columns: [Column("id", numeric: true), Column("name"), Column("role"), Column("team"),
                                                 Column("sees"), Column("granted")], rows: table)
    }

    /// `whoami`: the caller, their role and what it lets them see.
    public static func whoamiTable(user: String, policy: AccessPolicy?, customers: () throws -> Int, overrides: Bool) throws -> ResultTable {
        guard let policy else {
            return ResultTable(title: nil, columns: [Column("user"), Column("role"), Column("access")],
                               rows: [[.text(user), .text("admin"), .text("off: every user has every right (turn on with: access on)")]])
        }
        var privacy = policy.seesAllPrivate ? "unmasked" : policy.role.privateFields == .own ? "unmasked for own customers, else masked" : "masked"
        if !policy.seesAllPrivate, !policy.role.unmasked.isEmpty {
            privacy = policy.role.unmasked.sorted().joined(separator: ", ") + " unmasked; others " + privacy
        }
        return ResultTable(title: nil,
                           columns: [Column("user"), Column("role"), Column("team"), Column("sees"), Column("customers", numeric: true),
                                     Column("private fields"), Column("overrides")],
                           rows: [[.text(user), .text(policy.role.name), policy.team.map(Value.text) ?? .null,
                                   .text(policy.role.scope.rawValue), .integer(Int64(try customers())), .text(privacy),
                                   .text(overrides ? "allowed" : "off")]])
    }

    /// The columns of `access log`.
    public static let logColumns = [Column("at"), Column("user"), Column("how"), Column("entity"),
                                    Column("record", numeric: true), Column("rows", numeric: true), Column("fields")]
    /// The columns of `access log summary`.
    public static let summaryColumns = [Column("user"), Column("reads", numeric: true), Column("rows", numeric: true),
                                        Column("exported", numeric: true), Column("last")]
    /// The access log summary's query (the same SQL on both stores).
    public static let summarySQL = """
        SELECT "user", count(*), sum("rows"), sum(case when how = 'export' then "rows" else 0 end), max(at)
        FROM _crm_access_log WHERE how NOT LIKE 'override%' GROUP BY "user" ORDER BY "user"
        """
    /// The warning when `--user` is not honoured.
    public static func overrideIgnored(claimed: String, osUser: String) -> String {
        "--user/CRM_USER '\(claimed)' ignored: access control is on and overrides are off "
            + "(an admin allows them with: access overrides on); you are \(osUser)"
    }
}
