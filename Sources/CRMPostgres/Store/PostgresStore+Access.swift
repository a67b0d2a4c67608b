import Foundation
import CRMCore

/// Access control on PostgreSQL: the roles, ownership, masking, grants and access log of
/// docs/access.md, decided by the same `AccessPolicy` as on SQLite.
///
/// A read runs with the caller's policy put in front of its statement as WITH queries
/// named like the entity tables (`policed`). PostgreSQL looks an unqualified name up
/// among the statement's WITH queries before any schema, so `customer` in a list, a count,
/// `find`, a report or a plugin's `crm.query` reads the caller's rows, masked. Each query
/// reads its table by the qualified name (`"public"."customer"`) and is inlined (NOT
/// MATERIALIZED), so the planner still uses the table's indexes. Nothing is created on the
/// server for a read: no session's views hold up another client's migration, and a READ
/// ONLY transaction reads through the policy too. Qualified names and the functions that
/// run SQL given as text are refused in the caller's SQL (`PolicedSQL`).
extension PostgresStore: AccessControlled {
    public var accessEnabled: Bool { (try? meta("access.on")) == "on" }
    public var overridesAllowed: Bool { (try? meta("access.overrides")) == "on" }

    public func resolveIdentity(osUser: String, claimed: String?) throws -> String? {
        var warning: String?
        self.osUser = osUser
        if accessEnabled, let claimed, claimed != osUser {
            if overridesAllowed {
                user = claimed
                try logAccess(how: "override of OS user \(osUser)", entity: "user", id: nil, rows: 0, fields: [])
            } else {
                user = osUser
                warning = AccessGrants.overrideIgnored(claimed: claimed, osUser: osUser)
            }
        }
        try loadPolicy()
        return warning
    }

    /// Loads the policy of `user` (nil while access control is off).
    public func loadPolicy() throws {
        policy = accessEnabled ? try policy(for: user) : nil
    }

    /// The policy of one user, from their `user` record and the grants.
    func policy(for name: String) throws -> AccessPolicy {
        try reading {
            let row = try run("SELECT id, role, team FROM \"user\" WHERE name = ?", [name]).rows.first
            let team = row?[2] ?? nil
            let grants = try run("SELECT \"right\", entity FROM _crm_grant WHERE \"user\" = ? ORDER BY 1, 2", [name]).rows
                .map { (right: $0[0] ?? "", entity: $0[1] ?? "*") }
            var teamIDs: [Int64] = []
            if let team, !team.isEmpty {
                teamIDs = try run("SELECT id FROM \"user\" WHERE team = ? ORDER BY id", [team]).rows.compactMap { $0[0].flatMap { Int64($0) } }
            }
            return AccessPolicy.of(user: name, id: row?[0].flatMap { Int64($0) }, userRole: row?[1] ?? nil, team: team,
                                   grants: grants, teamIDs: teamIDs, roles: roles)
        }
    }

    public var roles: [Role] { Role.core + pluginRoles }

    public func declareRoles(_ roles: [Role]) throws {
        guard roles != pluginRoles else { return }
        pluginRoles = roles
        if accessEnabled { try loadPolicy() }
    }

    public func requireRight(_ right: AccessRight, _ entity: String) throws {
        guard let policy, via == nil, let denial = policy.denial(right, entity) else { return }
        throw denial
    }

    // MARK: reads

    /// The functions refused in a caller's SQL under a policy: they run SQL given as text
    /// (which no check of the statement sees) or change where names are looked up.
    static let policedFunctions: Set<String> = ["set_config", "query_to_xml*", "table_to_xml*", "cursor_to_xml*",
                                                "schema_to_xml*", "database_to_xml*", "dblink*"]

    /// Refuses, under a policy, SQL that would read past it: a name qualified by the
    /// store's schema (or `pg_temp`, where no policy applies) and the `policedFunctions`.
    func refusePolicyBypass(_ sql: String) throws {
        guard let policy, !policy.isUnrestricted else { return }
        try PolicedSQL.refuse(sql, schemas: [storeSchema, "pg_temp"], functions: PostgresStore.policedFunctions, example: storeSchema)
    }

    /// `sql` (a SELECT, VALUES or WITH statement) as the caller may run it: with the
    /// policy's queries in front, shadowing the tables they restrict; unchanged for a
    /// caller who sees everything.
    func policed(_ sql: String) throws -> String {
        guard let policy, !policy.isUnrestricted else { return sql }
        let queries = try policyQueries ?? {
            let dialect = PolicyDialect.postgres(schema: storeSchema)
            let views = policy.views(schema, dialect: dialect) + policy.seriesViews(try allSeries(), schema, dialect: dialect)
            let made = views.map { "\(quotedName($0.entity)) AS NOT MATERIALIZED (\($0.select))" }.joined(separator: ", ")
            policyQueries = made
            return made
        }()
        return PostgresStore.prefixing(sql, with: queries)
    }

    /// `WITH queries sql`, or the queries joined to the statement's own WITH list.
    static func prefixing(_ sql: String, with queries: String) -> String {
        guard !queries.isEmpty else { return sql }
        guard leadingKeyword(sql) == "WITH" else { return "WITH \(queries) \(sql)" }
        let rest = fromLeadingKeyword(sql).dropFirst(4)
        let afterSpace = rest.drop { $0.isWhitespace }
        let word = afterSpace.prefix { $0.isLetter }
        if word.uppercased() == "RECURSIVE" {
            return "WITH RECURSIVE \(queries), \(afterSpace.dropFirst(word.count))"
        }
        return "WITH \(queries), \(rest)"
    }

    /// Runs a read through the caller's policy.
    func policedRead(_ sql: String, _ arguments: [String?] = []) throws -> PGResult {
        let text = try policed(sql)
        return try reading { try run(text, arguments) }
    }

    /// Whether the caller sees a record.
    func isVisible(_ e: EntityDefinition, id: Int64) throws -> Bool {
        guard let policy, !policy.isUnrestricted else { return true }
        return try policedRead("SELECT EXISTS (SELECT 1 FROM \(PostgresDDL.quote(e.name)) WHERE id = ?)", [String(id)]).value(0, 0) == "t"
    }

    // MARK: writes

    /// Checks a write before it happens, as on SQLite: the right, the record visible (else
    /// "does not exist", like a missing one), the owner a caller may give, and references
    /// only to records the caller sees.
    func policeWrite(_ right: AccessRight, _ e: EntityDefinition, id: Int64?, values: [String: Value]) throws -> [String: Value] {
        guard let policy, via == nil else { return values }
        try requireRight(right, e.name)
        if let id, try !isVisible(e, id: id) { throw StoreError.notFound(entity: e.name, id: id) }
        let values = try policy.ownedValues(right, e, values)
        for f in e.fields {
            guard case .reference(let target) = f.type, case .integer(let ref)? = values[f.name],
                  let t = schema.entity(named: target) else { continue }
            if try !isVisible(t, id: ref) { throw StoreError.referenceMissing(entity: e.name, field: f.name, target: target, id: ref) }
        }
        return values
    }

    /// How the audit history of one record is shown to the caller (`AccessPolicy.historyMasker`).
    func historyMasking(_ e: EntityDefinition, id: Int64) throws -> (String, String?) -> String {
        guard let policy, !policy.seesPrivate(of: e) else { return { text, _ in text } }
        var owns = false
        if policy.role.privateFields == .own {
            let dialect = PolicyDialect.postgres(schema: storeSchema)
            let own = policy.ownCondition(e.name, "_t", paths: AccessPolicy.customerPaths(schema), dialect: dialect)
            owns = try reading {
                try run("SELECT \(own) FROM \(dialect.table(e.name)) AS _t WHERE _t.id = ?", [String(id)]).value(0, 0) == "t"
            }
        }
        return policy.historyMasker(e, owns: owns)
    }

    // MARK: the access log

    /// Notes that private fields were shown or exported unmasked. Inside a transaction the
    /// row waits until it ends, committed or rolled back (`flushAccessLog`): a rollback
    /// undoes the user's edits, not what they were shown.
    func logAccess(how: String, entity: String, id: Int64?, rows: Int, fields: [String]) throws {
        guard policy != nil || accessEnabled else { return }
        pendingAccessLog.append([DateCodec.utcText(epochSeconds: clock.auditNow()), user, how, entity, id.map { String($0) },
                                 String(rows), fields.joined(separator: ", ")])
        try flushAccessLog()
    }

    /// Writes the access-log rows noted so far, in a transaction of their own, once no
    /// transaction is open.
    func flushAccessLog() throws {
        guard !pendingAccessLog.isEmpty, !connection.inTransaction else { return }
        let rows = pendingAccessLog
        try connection.transaction {
            for row in rows {
                try run("INSERT INTO _crm_access_log (at, \"user\", how, entity, record_id, \"rows\", fields) VALUES (?, ?, ?, ?, ?, ?, ?)", row)
            }
        }
        pendingAccessLog.removeAll()
    }

    /// Logs a read that showed private fields unmasked.
    func logPrivateRead(_ e: EntityDefinition, fields names: [String], rows: Int, id: Int64?) throws {
        guard let policy, rows > 0 else { return }
        let shown = policy.unmaskedShown(e, names)
        guard !shown.isEmpty else { return }
        try logAccess(how: accessPurpose, entity: e.name, id: id, rows: rows, fields: shown)
    }
}
