import CRMCore

/// Granting and revoking rights, the user list, `whoami` and the access log on PostgreSQL,
/// checked as on SQLite (`AccessGrants`). Every change of rights is a row in the audit
/// history of the user concerned, in the same transaction as the change; a user has one
/// role (a unique index on the role grants), so two admins granting at once leave one.
extension PostgresStore {
    public func enableAccess() throws {
        guard !accessEnabled else { return }
        try atomically {
            for name in Set([user, osUser ?? user]).sorted() {
                try grantRole("admin", to: name)
                try audit(action: "grant", entity: "user", id: try userID(name), field: "role", old: nil, new: "admin")
            }
            try run("INSERT INTO _crm_meta (key, value) VALUES ('access.on', 'on') ON CONFLICT (key) DO UPDATE SET value = 'on'")
        }
        try loadPolicy()
    }

    /// Gives `name` the role (replacing the one they had).
    func grantRole(_ role: String, to name: String) throws {
        try run("""
            INSERT INTO _crm_grant ("user", "right", entity) VALUES (?, 'role', ?)
            ON CONFLICT ("user") WHERE "right" = 'role' DO UPDATE SET entity = excluded.entity
            """, [name, role])
    }

    public func setOverrides(_ on: Bool) throws {
        try requireAdmin("change overrides")
        let was = overridesAllowed ? "on" : "off"
        try atomically {
            try audit(action: on ? "grant" : "revoke", entity: "user", id: nil, field: "overrides", old: was, new: on ? "on" : "off")
            try setMeta("access.overrides", on ? "on" : "off")
        }
    }

    func requireAdmin(_ what: String) throws {
        if let denial = AccessGrants.adminDenial(what, enabled: accessEnabled, policy: policy, user: user) { throw denial }
    }

    func userID(_ name: String) throws -> Int64? {
        try run("SELECT id FROM \"user\" WHERE name = ?", [name]).value(0, 0).flatMap { Int64($0) }
    }

    public func changeGrant(_ on: Bool, user target: String, right: String, entity: String?) throws {
        try requireAdmin(on ? "grant rights" : "revoke rights")
        let object = try AccessGrants.object(granting: on, to: target, by: user, right: right, entity: entity,
                                             roles: roles, schema: schema)
        try atomically {
            let id = try userID(target)
            guard id != nil || right == "role" else { throw QueryError("no user '\(target)' (add user name=\(target) first)") }
            if on {
                if right == "role" {
                    try grantRole(object, to: target)
                } else {
                    try run("INSERT INTO _crm_grant (\"user\", \"right\", entity) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", [target, right, object])
                }
            } else {
                let gone = try run("DELETE FROM _crm_grant WHERE \"user\" = ? AND \"right\" = ? AND entity = ? RETURNING 1", [target, right, object])
                guard gone.rowCount > 0 else { throw QueryError("\(target) has no granted \(right) \(object) to revoke") }
            }
            try audit(action: on ? "grant" : "revoke", entity: "user", id: id, field: right, old: on ? nil : object, new: on ? object : nil)
        }
    }

    public func usersWithRoles() throws -> ResultTable {
        try AccessGrants.usersTable(try reading {
            var names = try run("SELECT name FROM \"user\" ORDER BY id").rows.compactMap { $0[0] }
            for row in try run("SELECT DISTINCT \"user\" FROM _crm_grant ORDER BY 1").rows {
                if let n = row[0], !names.contains(n) { names.append(n) }
            }
            return try names.map { name in
                (try policy(for: name),
                 try run("SELECT \"right\", entity FROM _crm_grant WHERE \"user\" = ? ORDER BY 1, 2", [name]).rows
                    .map { (right: $0[0] ?? "", entity: $0[1] ?? "*") })
            }
        })
    }

    public func whoami() throws -> ResultTable {
        try AccessGrants.whoamiTable(user: user, policy: policy, customers: { try count(CoreEntities.customer.name, where: nil) },
                                     overrides: overridesAllowed)
    }

    public func accessLog(user name: String?, entity: String?, id: Int64?, limit: Int) throws -> ResultTable {
        try requireAdmin("read the access log")
        var conditions: [String] = []
        var arguments: [String?] = []
        if let name { conditions.append("\"user\" = ?"); arguments.append(name) }
        if let entity { conditions.append("entity = ?"); arguments.append(entity) }
        if let id { conditions.append("record_id = ?"); arguments.append(String(id)) }
        let condition = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        arguments.append(String(max(limit, 0)))
        let result = try reading {
            try run("SELECT at, \"user\", how, entity, record_id, \"rows\", fields FROM _crm_access_log\(condition) ORDER BY id DESC LIMIT ?",
                    arguments)
        }
        let rows: [[Value]] = result.rows.map { r in
            [PostgresValue.value(r[0], .datetime), .text(r[1] ?? ""), .text(r[2] ?? ""), .text(r[3] ?? ""),
             PostgresValue.value(r[4], .integer), PostgresValue.value(r[5], .integer), .text(r[6] ?? "")]
        }
        return ResultTable(title: nil, columns: AccessGrants.logColumns, rows: rows)
    }

    public func accessLogSummary() throws -> ResultTable {
        try requireAdmin("read the access log")
        let result = try reading { try run(AccessGrants.summarySQL) }
        let rows: [[Value]] = result.rows.map { r in
            [.text(r[0] ?? ""), PostgresValue.value(r[1], .integer), PostgresValue.value(r[2], .integer),
             PostgresValue.value(r[3], .integer), PostgresValue.value(r[4], .datetime)]
        }
        return ResultTable(title: "private data shown, by user", columns: AccessGrants.summaryColumns, rows: rows)
    }
}
