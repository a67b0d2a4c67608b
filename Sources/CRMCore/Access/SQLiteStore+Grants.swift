import Foundation
import GRDB

/// Granting and revoking rights, the user list, `whoami` and the access log.
///
/// Every change of rights is a row in the audit history of the user concerned
/// (`history user 3`), written in the same transaction as the change.
extension SQLiteStore {
    /// What `grant`/`revoke` may name: a role, `private`, or a right on an entity.
    public static let grantableRights = ["role", "private"] + AccessRight.allCases.map(\.rawValue)

    /// Turns access control on; the caller (and the OS user running crm, so nobody is
    /// locked out once `--user` stops counting) become its first admins.
    public func enableAccess() throws {
        guard !accessEnabled else { return }
        try atomically {
            try access { db in
                for name in Set([user, osUser ?? user]).sorted() {
                    try db.execute(sql: "INSERT OR REPLACE INTO _crm_grant (user, \"right\", entity) VALUES (?, 'role', 'admin')", arguments: [name])
                    try audit(db, action: "grant", entity: "user", id: try userID(name, db), field: "role", old: nil, new: "admin")
                }
                try db.execute(sql: "INSERT INTO _crm_meta (key, value) VALUES ('access.on', 'on') ON CONFLICT(key) DO UPDATE SET value = 'on'")
            }
        }
        try loadPolicy()
    }

    /// Allows or refuses `--user`/`CRM_USER` naming someone other than the OS user (admins).
    public func setOverrides(_ on: Bool) throws {
        try requireAdmin("change overrides")
        let was = overridesAllowed ? "on" : "off"
        try atomically {
            try access { db in
                try audit(db, action: on ? "grant" : "revoke", entity: "user", id: nil, field: "overrides", old: was, new: on ? "on" : "off")
            }
            try setMeta("access.overrides", on ? "on" : "off")
        }
    }

    func requireAdmin(_ what: String) throws {
        guard accessEnabled else { throw AccessDenied("access control is off: turn it on first with: access on") }
        guard let policy, policy.role.administers else {
            throw AccessDenied("only an admin may \(what); you are \(user) (\(policy?.role.name ?? "none"))")
        }
    }

    func userID(_ name: String, _ db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT id FROM main.\"user\" WHERE name = ?", arguments: [name])
    }

    /// Grants (`on`) or revokes a right: `role admin`, `private`, `export customer`, `import *`.
    public func changeGrant(_ on: Bool, user target: String, right: String, entity: String?) throws {
        try requireAdmin(on ? "grant rights" : "revoke rights")
        guard target != user else {
            throw AccessDenied("nobody can \(on ? "grant" : "revoke") their own rights; ask another admin")
        }
        guard SQLiteStore.grantableRights.contains(right) else {
            throw QueryError("unknown right '\(right)'\(NameSuggestion.hint(for: right, in: SQLiteStore.grantableRights)); "
                             + "rights: \(SQLiteStore.grantableRights.joined(separator: ", "))")
        }
        var object = entity ?? "*"
        if right == "role" {
            let names = roles.map(\.name)
            guard let name = entity else { throw QueryError("grant \(target) role NAME: which role (\(names.joined(separator: ", ")))") }
            guard role(named: name) != nil else {
                throw QueryError("unknown role '\(name)'\(NameSuggestion.hint(for: name, in: names)); roles: \(names.joined(separator: ", "))")
            }
            object = name
        } else if right == "private" {
            object = "*"
        } else if object != "*" {
            _ = try schema.require(object)
        }
        try atomically {
            try access { db in
                guard try userID(target, db) != nil || right == "role" else {
                    throw QueryError("no user '\(target)' (add user name=\(target) first)")
                }
                if on {
                    if right == "role" { try db.execute(sql: "DELETE FROM _crm_grant WHERE user = ? AND \"right\" = 'role'", arguments: [target]) }
                    try db.execute(sql: "INSERT OR IGNORE INTO _crm_grant (user, \"right\", entity) VALUES (?, ?, ?)", arguments: [target, right, object])
                } else {
                    try db.execute(sql: "DELETE FROM _crm_grant WHERE user = ? AND \"right\" = ? AND entity = ?", arguments: [target, right, object])
                    guard db.changesCount > 0 else { throw QueryError("\(target) has no granted \(right) \(object) to revoke") }
                }
                try audit(db, action: on ? "grant" : "revoke", entity: "user", id: try userID(target, db),
                          field: right, old: on ? nil : object, new: on ? object : nil)
            }
        }
    }

    /// Every user with the role and rights they have.
    public func usersWithRoles() throws -> ResultTable {
        let rows: [[Value]] = try access { db in
            var names = try String.fetchAll(db, sql: "SELECT name FROM main.\"user\" ORDER BY id")
            for n in try String.fetchAll(db, sql: "SELECT DISTINCT user FROM _crm_grant ORDER BY user") where !names.contains(n) { names.append(n) }
            return try names.map { name in
                let p = try policy(for: name, db)
                let grants = try Row.fetchAll(db, sql: "SELECT \"right\", entity FROM _crm_grant WHERE user = ? AND \"right\" <> 'role' ORDER BY 1, 2",
                                              arguments: [name]).map { r -> String in
                    let right: String = r[0], entity: String = r[1]
                    return entity == "*" ? right : "\(right) \(entity)"
                }
                return [p.userID.map(Value.integer) ?? .null, .text(name), .text(p.role.name), p.team.map(Value.text) ?? .null,
                        .text(p.role.scope.rawValue), grants.isEmpty ? .null : .text(grants.joined(separator: ", "))]
            }
        }
        return ResultTable(title: nil, columns: [Column("id", numeric: true), Column("name"), Column("role"), Column("team"),
                                                 Column("sees"), Column("granted")], rows: rows)
    }

    /// Who the caller is and what their role lets them do.
    public func whoami() throws -> ResultTable {
        guard let policy else {
            return ResultTable(title: nil, columns: [Column("user"), Column("role"), Column("access")],
                               rows: [[.text(user), .text("admin"), .text("off: every user has every right (turn on with: access on)")]])
        }
        let customers = try count(CoreEntities.customer.name, where: nil)
        var privacy = policy.seesAllPrivate ? "unmasked" : policy.role.privateFields == .own ? "unmasked for own customers, else masked" : "masked"
        if !policy.seesAllPrivate, !policy.role.unmasked.isEmpty {
            privacy = policy.role.unmasked.sorted().joined(separator: ", ") + " unmasked; others " + privacy
        }
        return ResultTable(title: nil,
                           columns: [Column("user"), Column("role"), Column("team"), Column("sees"), Column("customers", numeric: true),
                                     Column("private fields"), Column("overrides")],
                           rows: [[.text(user), .text(policy.role.name), policy.team.map(Value.text) ?? .null,
                                   .text(policy.role.scope.rawValue), .integer(Int64(customers)), .text(privacy),
                                   .text(overridesAllowed ? "allowed" : "off")]])
    }

    // MARK: the access log

    /// Notes that private fields were shown or exported unmasked. Inside a transaction the
    /// row waits until the transaction ends, committed or rolled back, and is written then
    /// (`flushAccessLog`): a `rollback` undoes the user's edits, not what they were shown.
    func logAccess(how: String, entity: String, id: Int64?, rows: Int, fields: [String]) throws {
        guard accessEnabled else { return }
        let row: [DatabaseValue] = [DateCodec.utcText(epochSeconds: clock.auditNow()).databaseValue, user.databaseValue,
                                    how.databaseValue, entity.databaseValue, id.databaseValue, rows.databaseValue,
                                    fields.joined(separator: ", ").databaseValue]
        pendingAccessLog.append(row)
        if !insideTransaction { try flushAccessLog() }
    }

    /// Writes the access-log rows noted so far, in one transaction of their own; called
    /// when no transaction is open (after the outermost one ended, either way).
    func flushAccessLog() throws {
        guard !pendingAccessLog.isEmpty else { return }
        let rows = pendingAccessLog
        try access { db in
            guard !db.isInsideTransaction else { return }
            try db.inTransaction(.immediate) {
                let insert = try db.cachedStatement(sql: "INSERT INTO _crm_access_log (at, user, how, entity, record_id, rows, fields) VALUES (?, ?, ?, ?, ?, ?, ?)")
                for row in rows { try insert.execute(arguments: StatementArguments(row)) }
                return .commit
            }
            pendingAccessLog.removeAll()
        }
    }

    /// Logs a read that showed private fields unmasked: which fields, how many rows, and
    /// the record when it was one.
    func logPrivateRead(_ e: EntityDefinition, fields names: [String], rows: Int, id: Int64?) throws {
        guard let policy, rows > 0 else { return }
        let shown = names.filter { n in
            e.fields.contains { $0.name == n && $0.isPrivate && (policy.role.privateFields == .own || policy.seesUnmasked($0, of: e.name)) }
        }
        guard !shown.isEmpty else { return }
        try logAccess(how: accessPurpose, entity: e.name, id: id, rows: rows, fields: shown)
    }

    /// The access log, newest first, optionally for one user or one record (`customer 42`).
    public func accessLog(user name: String?, entity: String?, id: Int64?, limit: Int) throws -> ResultTable {
        try requireAdmin("read the access log")
        var conditions: [String] = []
        var arguments: [DatabaseValue] = []
        if let name { conditions.append("user = ?"); arguments.append(name.databaseValue) }
        if let entity { conditions.append("entity = ?"); arguments.append(entity.databaseValue) }
        if let id { conditions.append("record_id = ?"); arguments.append(id.databaseValue) }
        let condition = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        arguments.append(limit.databaseValue)
        let rows: [[Value]] = try access { db in
            try Row.fetchAll(db, sql: "SELECT at, user, how, entity, record_id, rows, fields FROM _crm_access_log\(condition) ORDER BY id DESC LIMIT ?",
                             arguments: StatementArguments(arguments)).map { r in
                [.datetime(r[0]), .text(r[1]), .text(r[2]), .text(r[3]), (r[4] as Int64?).map(Value.integer) ?? .null,
                 .integer(r[5]), .text(r[6])]
            }
        }
        return ResultTable(title: nil, columns: [Column("at"), Column("user"), Column("how"), Column("entity"),
                                                 Column("record", numeric: true), Column("rows", numeric: true), Column("fields")], rows: rows)
    }

    /// Per user: how many private reads and rows, and when last (the audit's summary).
    public func accessLogSummary() throws -> ResultTable {
        try requireAdmin("read the access log")
        let rows: [[Value]] = try access { db in
            try Row.fetchAll(db, sql: """
                SELECT user, count(*), sum(rows), sum(case when how = 'export' then rows else 0 end), max(at)
                FROM _crm_access_log WHERE how NOT LIKE 'override%' GROUP BY user ORDER BY user
                """).map { r in [.text(r[0]), .integer(r[1]), .integer(r[2]), .integer(r[3]), .datetime(r[4])] }
        }
        return ResultTable(title: "private data shown, by user",
                           columns: [Column("user"), Column("reads", numeric: true), Column("rows", numeric: true),
                                     Column("exported", numeric: true), Column("last")], rows: rows)
    }
}
