import CRMCore

/// The store's access control, or an error saying this database has none.
private func accessControl(_ session: Session) throws -> AccessControlled {
    guard let store = session.store as? AccessControlled else {
        throw SyntaxError(message: "this database has no access control", position: 0)
    }
    return store
}

/// `grant USER ROLE|RIGHT [ENTITY]` and `revoke …`: admins change another user's rights.
struct GrantVerb: Verb {
    let on: Bool
    var name: String { on ? "grant" : "revoke" }
    var summary: String {
        on ? "give a user a role or a right (admins): grant bob role manager | grant bob export customer"
            : "take back a granted role or right (admins): revoke bob export customer"
    }
    var usage: [String] {
        ["\(name) <user> role <admin|manager|agent|auditor|service|finance|a plugin's role>",
         "\(name) <user> private", "\(name) <user> <read|create|update|delete|import|export> [<entity>|*]"]
    }
    var details: String {
        """
        Only admins \(name), and nobody changes their own rights. A role replaces the one the
        user record's role field gives; `private` shows the private fields (phone, email,
        birthday, plugin fields marked private) of every customer the user sees; a right on
        an entity (or * for all) adds to the role's. Every change is in `history user N`.
        Plugins add roles (crm.role, e.g. banking's credit_officer): `access roles` lists
        them all. See docs/access.md for the roles.

        Examples:
          \(name) 李娜 role manager
          \(name) 王强 export customer
          \(name) 赵敏 private
        """
    }
    let completion = CompletionShape.nothing

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        let user = try args.word("the user")
        let right = try args.word("the role or right (role NAME, private, read, create, update, delete, import, export)")
        var entity: String?
        if let t = args.next() { entity = t.text }
        try args.expectEnd(usageLine)
        let store = try accessControl(session)
        try store.changeGrant(on, user: user.text, right: right.text.lowercased(), entity: entity)
        let what = [right.text.lowercased(), entity].compactMap { $0 }.joined(separator: " ")
        return .message(on ? "granted \(what) to \(user.text)" : "revoked \(what) from \(user.text)")
    }
}

/// `whoami`: the caller, their role and what it lets them see.
struct WhoamiVerb: Verb {
    let name = "whoami"
    let summary = "who you are to this database: user, role, team, what you see"
    let usage = ["whoami"]
    let details = """
        The user crm takes you for (the OS user, or --user/CRM_USER where an admin allowed
        overrides), your role, your team, which customers you see (own, team, all), how
        many, and whether their private fields are masked for you.
        """
    let completion = CompletionShape.nothing

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        try args.expectEnd(usageLine)
        return .table(try accessControl(session).whoami())
    }
}

/// `users`: every user with their role, team and granted rights.
struct UsersVerb: Verb {
    let name = "users"
    let summary = "the users with their roles, teams and granted rights"
    let usage = ["users"]
    let details = """
        One line per user: the role (from the user record's role field, or granted), the
        team, which customers the role sees (own, team, all) and the rights granted on top.
        """
    let completion = CompletionShape.nothing

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        try args.expectEnd(usageLine)
        return .table(try accessControl(session).usersWithRoles())
    }
}

/// `access on`, `access overrides on|off`, `access log [user NAME] [customer ID]`.
struct AccessVerb: Verb {
    let name = "access"
    let summary = "access control: access on | access overrides on|off | access log [user NAME] [<entity> ID]"
    let usage = ["access", "access on", "access overrides on|off", "access log [user <name>] [<entity> <id>] [limit N]",
                 "access report", "access roles"]
    let details = """
        Access control starts off: every user has every right, as in a single-user database.
        `access on` turns it on and makes you its first admin; from then on you are the OS
        user (--user and CRM_USER are ignored) unless an admin runs `access overrides on`,
        after which overrides are honoured and logged.

        `access log` lists who was shown or exported private fields, newest first: when, who,
        how (show, list, find, export, report…), which entity and record, how many rows and
        which fields. `access report` sums it per user. Both are for admins.

        `access roles` lists the roles: the core's and those the loaded plugins declare
        (crm.role), with the customers each sees, its private fields and its rights.

        Examples:
          access on
          access log user 王强
          access log customer 42
          access report
          access roles
        """
    let completion = CompletionShape.keywordThenFile(["on", "overrides", "log", "report", "roles"])

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        let store = try accessControl(session)
        guard let t = args.next() else {
            return .message("access control is \(store.accessEnabled ? "on" : "off"); overrides \(store.overridesAllowed ? "allowed" : "off")")
        }
        switch t.text.lowercased() {
        case "on":
            try args.expectEnd(usageLine)
            try store.enableAccess()
            return .message("access control on; you are its admin")
        case "overrides":
            let w = try args.word("on or off")
            guard ["on", "off"].contains(w.text.lowercased()) else {
                throw SyntaxError(message: "expected on or off after access overrides, got '\(w.text)'", position: w.position)
            }
            try args.expectEnd(usageLine)
            try store.setOverrides(w.text.lowercased() == "on")
            return .message("overrides \(w.text.lowercased() == "on" ? "allowed" : "off")")
        case "report":
            try args.expectEnd(usageLine)
            return .table(try store.accessLogSummary())
        case "roles":
            try args.expectEnd(usageLine)
            return .table(AccessVerb.rolesTable(store.roles))
        case "log":
            var user: String?, entity: String?, id: Int64?, limit = 100
            while let w = args.next() {
                if w.text == "user" {
                    user = try args.word("the user").text
                } else if w.text == "limit" {
                    let n = try args.word("how many")
                    guard let v = Int(n.text), v > 0 else { throw SyntaxError(message: "limit must be a positive number", position: n.position) }
                    limit = v
                } else {
                    let entityName = try session.store.schema.require(w.text).name
                    let n = try args.word("the \(entityName) id")
                    guard let v = Int64(n.text) else { throw SyntaxError(message: "expected a record id, got '\(n.text)'", position: n.position) }
                    entity = entityName
                    id = v
                }
            }
            return .table(try store.accessLog(user: user, entity: entity, id: id, limit: limit))
        default:
            throw SyntaxError(message: "expected on, overrides, log, report or roles after access, got '\(t.text)'", position: t.position)
        }
    }

    /// The roles as a table: who declared each, which customers it sees, which private
    /// fields it sees unmasked, and its rights per entity (`*` first).
    static func rolesTable(_ roles: [Role]) -> ResultTable {
        let order = AccessRight.allCases
        let rows: [[Value]] = roles.map { r in
            let rights = r.rights.keys.sorted { ($0 == "*" ? "" : $0) < ($1 == "*" ? "" : $1) }.map { entity in
                "\(entity): " + order.filter { r.rights[entity]!.contains($0) }.map(\.rawValue).joined(separator: " ")
            }
            var privacy = r.privateFields.rawValue
            if !r.unmasked.isEmpty { privacy += " + " + r.unmasked.sorted().joined(separator: ", ") }
            return [.text(r.name), .text(r.owner), .text(r.scope.rawValue), .text(privacy),
                    .text(rights.joined(separator: "; ") + (r.administers ? "; grants" : "")), .text(r.summary)]
        }
        return ResultTable(title: nil, columns: [Column("role"), Column("from"), Column("sees"), Column("private unmasked"),
                                                 Column("rights"), Column("summary")], rows: rows)
    }
}
