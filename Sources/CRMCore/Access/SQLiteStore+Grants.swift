import Foundation
import GRDB

/// Granting and revoking rights, the user list, `whoami` and the access log.
///
/// Every change of rights is a row in the audit history of the user concerned
/// (`history user 3`), written in the same transaction as the change.
extension SQLiteStore {
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
        if let denial = AccessGrants.adminDenial(what, enabled: accessEnabled, policy: policy, user: user) { throw denial }
    }

    func userID(_ name: String, _ db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT id FROM main.\"user\" WHERE name = ?", arguments: [name])
    }

    /// Grants (`on`) or revokes a right: `role admin`, `private`, `export customer`, `import *`.
    public func changeGrant(_ on: Bool, user target: String, right: String, entity: String?) throws {
        try requireAdmin(on ? "grant rights" : "revoke rights")
        let object = try AccessGrants.object(granting: on, to: target, by: user, right: right, entity: entity,
                                             roles: roles, schema: schema)
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
        try AccessGrants.usersTable(try access { db in
            var names = try String.fetchAll(db, sql: "SELECT name FROM main.\"user\" ORDER BY id")
            for n in try String.fetchAll(db, sql: "SELECT DISTINCT user FROM _crm_grant ORDER BY user") where !names.contains(n) { names.append(n) }
            return try names.map { name in
                (try policy(for: name, db),
                 try Row.fetchAll(db, sql: "SELECT \"right\", entity FROM _crm_grant WHERE user = ? ORDER BY 1, 2", arguments: [name])
                    .map { (right: $0[0] as String, entity: $0[1] as String) })
            }
        })
    }

    /// Who the caller is and what their role lets them do.
    public func whoami() throws -> ResultTable {
        try AccessGrants.whoamiTable(user: user, policy: policy, customers: { try count(CoreEntities.customer.name, where: nil) },
                                     overrides: overridesAllowed)
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
        let shown = policy.unmaskedShown(e, names)
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
        return ResultTable(title: nil, columns: AccessGrants.logColumns, rows: rows)
    }

    /// Per user: how many private reads and rows, and when last (the audit's summary).
    public func accessLogSummary() throws -> ResultTable {
        try requireAdmin("read the access log")
        let rows: [[Value]] = try access { db in
            try Row.fetchAll(db, sql: AccessGrants.summarySQL).map { r in [.text(r[0]), .integer(r[1]), .integer(r[2]), .integer(r[3]), .datetime(r[4])] }
        }
        return ResultTable(title: "private data shown, by user", columns: AccessGrants.summaryColumns, rows: rows)
    }
}
