import Foundation
import GRDB
import GRDBSQLite

/// Access control on SQLite: roles, ownership, masking, grants and the access log.
///
/// While access control is off (`access on` was never run) every caller is an admin and
/// `--user` names whoever the caller says, as before roles existed. Once on, the caller
/// is the OS user unless an admin allowed overrides, and every read of the store runs
/// with the caller's `AccessPolicy` installed as temporary views that shadow the entity
/// tables: `list`, `count`, `find`, `show`, aggregates, exports, completion, reports and
/// plugin `crm.query` statements all read the same restricted, masked rows.
extension SQLiteStore {
    static func createAccessTables(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS _crm_grant (
                user TEXT NOT NULL, "right" TEXT NOT NULL, entity TEXT NOT NULL DEFAULT '*',
                PRIMARY KEY (user, "right", entity));
            CREATE TABLE IF NOT EXISTS _crm_access_log (
                id INTEGER PRIMARY KEY, at TEXT NOT NULL, user TEXT NOT NULL, how TEXT NOT NULL,
                entity TEXT NOT NULL, record_id INTEGER, rows INTEGER NOT NULL, fields TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS _crm_access_log_user ON _crm_access_log (user, at);
            """)
    }

    /// Whether access control is on for this database.
    public var accessEnabled: Bool { (try? meta("access.on")) == "on" }
    /// Whether `--user`/`CRM_USER` may name someone other than the OS user.
    public var overridesAllowed: Bool { (try? meta("access.overrides")) == "on" }

    /// Settles who the caller is and loads their policy; returns a warning when a
    /// `--user` override was not honoured.
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
    /// Past pictures (`crm.as_of`) made under another policy are dropped: each holds
    /// what the policy it was made under showed.
    public func loadPolicy() throws {
        let before = policy
        policy = accessEnabled ? try access { try policy(for: user, $0) } : nil
        try access { db in
            if before != policy, !SQLiteStore.hasActiveStatements(db) { try SQLiteStore.dropPastPictures(db) }
            try installPolicyFunctions(db)
        }
    }

    /// Drops the temporary tables `crm.as_of` made on this connection.
    static func dropPastPictures(_ db: Database) throws {
        let names = try String.fetchAll(db, sql: "SELECT name FROM sqlite_temp_schema WHERE type = 'table' AND name LIKE 'asof\\_%' ESCAPE '\\'")
        for name in names { try db.execute(sql: "DROP TABLE IF EXISTS temp.\(quotedName(name))") }
    }

    /// Installs the SQL functions the policy's reads need, once per connection and outside
    /// any read: SQLite refuses to define a function while a statement runs (and GRDB
    /// stops the process then), which a policed read inside a rule's loop would do.
    /// Masked columns need none (`Mask.sqliteExpression` masks in SQL); `sum`, `total` and
    /// `avg` that keep a masked amount's total masked (`MaskedAggregates`) are installed
    /// once a policy masks a number: they compute what SQLite's do, a little slower.
    func installPolicyFunctions(_ db: Database) throws {
        guard let policy, !policy.isUnrestricted else { return }
        // Overriding a built-in is redefining it: only with no statement running.
        if !policyFunctions.contains("sum"), policy.masksNumbers(schema), !SQLiteStore.hasActiveStatements(db) {
            MaskedAggregates.install(db)
            policyFunctions.insert("sum")
        }
    }

    static func hasActiveStatements(_ db: Database) -> Bool {
        guard let connection = db.sqliteConnection else { return false }
        var statement = sqlite3_next_stmt(connection, nil)
        while let s = statement {
            if sqlite3_stmt_busy(s) != 0 { return true }
            statement = sqlite3_next_stmt(connection, s)
        }
        return false
    }

    /// The policy of one user, from their `user` record and the grants.
    func policy(for name: String, _ db: Database) throws -> AccessPolicy {
        let row = try Row.fetchOne(db, sql: "SELECT id, role, team FROM main.\"user\" WHERE name = ?", arguments: [name])
        let team: String? = row?[2]
        let grants = try Row.fetchAll(db, sql: "SELECT \"right\", entity FROM _crm_grant WHERE user = ?", arguments: [name])
            .map { (right: $0[0] as String, entity: $0[1] as String) }
        var teamIDs: [Int64] = []
        if let team, !team.isEmpty {
            teamIDs = try Int64.fetchAll(db, sql: "SELECT id FROM main.\"user\" WHERE team = ? ORDER BY id", arguments: [team])
        }
        return AccessPolicy.of(user: name, id: row?[0], userRole: row?[1], team: team, grants: grants, teamIDs: teamIDs, roles: roles)
    }

    /// The roles of this database: the core's and those of the loaded plugins.
    public var roles: [Role] { Role.core + pluginRoles }

    func role(named name: String) -> Role? { roles.first { $0.name == name } }

    /// The roles the loaded plugins declare (`crm.role`), known to the policy from here
    /// on: the caller's policy is loaded again, so a user given a plugin's role gets it
    /// before any read or write it polices.
    public func declareRoles(_ roles: [Role]) throws {
        guard roles != pluginRoles else { return try access { try installPolicyFunctions($0) } }
        pluginRoles = roles
        if accessEnabled { try loadPolicy() }
    }

    // MARK: reads

    /// Runs a read with the caller's policy in force: the restricted entities are read
    /// through temporary views of the same name (SQLite looks in `temp` first), installed
    /// for the outermost read and dropped after it, so writes and crm's own bookkeeping
    /// keep reading the tables.
    func policed<T>(_ body: (Database) throws -> T) throws -> T {
        guard let policy, !policy.isUnrestricted, policedDepth == 0 else { return try access(body) }
        let scripts = try policyViewScripts ?? {
            let views = policy.views(schema) + policy.seriesViews(try allSeries(), schema)
            let made = (create: views.map { "CREATE TEMP VIEW \(quotedName($0.entity)) AS \($0.select);" }.joined(separator: "\n"),
                        drop: views.reversed().map { "DROP VIEW IF EXISTS temp.\(quotedName($0.entity));" }.joined(separator: "\n"))
            policyViewScripts = made
            return made
        }()
        return try access { db in
            if scripts.create.isEmpty { return try body(db) }
            try installPolicyFunctions(db)  // once; a plugin's new private amount is seen here
            policedDepth += 1
            defer { policedDepth -= 1 }
            do {
                try db.execute(sql: scripts.create)
            } catch {
                try? db.execute(sql: scripts.drop)  // the views made before the one that failed
                throw error
            }
            defer { try? db.execute(sql: scripts.drop) }
            return try body(db)
        }
    }

    /// Refuses SQL naming the `main` schema while a policy is in force: `main.customer`
    /// would read the table behind the caller's view.
    static func refuseMainSchema(_ sql: String) throws {
        try PolicedSQL.refuse(sql, schemas: ["main"], functions: [], example: "main")
    }

    // MARK: writes

    /// Refuses a command the caller's role does not allow on an entity. Rules and jobs
    /// writing on the caller's behalf (`via`) keep their plugin's invariants whoever runs.
    public func requireRight(_ right: AccessRight, _ entity: String) throws {
        guard let policy, via == nil, let denial = policy.denial(right, entity) else { return }
        throw denial
    }

    /// Whether the caller sees a record (through the policy's view).
    func isVisible(_ e: EntityDefinition, id: Int64) throws -> Bool {
        guard policy != nil else { return true }
        return try policed { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \(quotedName(e.name)) WHERE id = ?)", arguments: [id]) ?? false
        }
    }

    /// Checks a write before it happens: the right, the record visible (else "does not
    /// exist", like a missing one), and references only to records the caller sees.
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
}

extension SQLiteStore {
    /// How the audit history's old and new texts of one record are shown to the caller:
    /// a private field's values (and the private keys of a create's or delete's JSON)
    /// masked unless the caller sees that record's private fields.
    func historyMasking(_ e: EntityDefinition, id: Int64) throws -> (String, String?) -> String {
        guard let policy, !policy.seesPrivate(of: e) else { return { text, _ in text } }
        var owns = false
        if policy.role.privateFields == .own {
            let paths = AccessPolicy.customerPaths(schema)
            owns = try access { db in
                try Bool.fetchOne(db, sql: "SELECT \(policy.ownCondition(e.name, "_t", paths: paths)) FROM main.\(quotedName(e.name)) AS _t WHERE _t.id = ?",
                                  arguments: [id]) ?? false
            }
        }
        return policy.historyMasker(e, owns: owns)
    }
}
