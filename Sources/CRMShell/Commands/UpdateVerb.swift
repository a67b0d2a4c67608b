import CRMCore

/// `update <entity> <id> set …` or `update <entity> where … set …`.
struct UpdateVerb: Verb {
    let name = "update"
    let summary = "change fields of one record, or of every record matching a filter"
    let usage = ["update <entity> <id> set field=value …", "update <entity> where <filter> set field=value …"]
    let details = """
        Prints how many records were changed (one that already had the values is not
        counted). All of the matching records change, or none if one of them is refused.
        An empty value (field=) clears the field. At the interactive prompt, a filter that
        matches more than 20 records first asks [y/N] (see confirm).

        Examples:
          update customer 12 set stage=growth value_class=A
          update task where assignee = 张伟 and status = open set assignee=李娜
        """
    let completion = CompletionShape.entityAndQuery

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        let e = try session.entity(&args)
        if args.isKeyword("where") || args.isKeyword("in") {
            let q = try QueryClauses.parse(&args, allowOrder: false, allowLimit: false)
            try args.expectKeyword("set", after: "the filter")
            let values = try assignments(e, &args, session)
            if session.prompt.confirm != nil {
                try session.prompt.guardDestructive("update", count: try session.store.count(e.name, where: q.filter), entity: e.name)
            }
            let n = try session.store.update(e.name, where: q.filter, values: values)
            return .message("updated \(n) \(e.name)")
        }
        let id = try args.id(of: e.name)
        try args.expectKeyword("set", after: "the id")
        let values = try assignments(e, &args, session)
        let changed = try session.store.update(e.name, id: id, values: values)
        return .message("updated \(changed ? 1 : 0) \(e.name)")
    }

    func assignments(_ e: EntityDefinition, _ args: inout TokenCursor, _ session: Session) throws -> [String: Value] {
        let values = try session.values(e, &args)
        guard !values.isEmpty else {
            throw SyntaxError(message: "expected field=value after 'set'", position: args.position)
        }
        return values
    }
}

/// `delete <entity> <id>` or `delete <entity> where …`: removes records nothing else refers to.
struct DeleteVerb: Verb {
    let name = "delete"
    let summary = "delete a record, or every record matching a filter (refused while others refer to them)"
    let usage = ["delete <entity> <id>", "delete <entity> where <filter>"]
    let details = """
        Refuses when other records reference it, saying which, so nothing is left dangling.
        With a filter, every matching record is deleted, or none if one of them is refused.
        The deleted values stay in the audit history. At the interactive prompt, a filter
        that matches more than 20 records first asks [y/N] (see confirm).

        Examples:
          delete task 31
          delete task where status = cancelled and due < -90d
        """
    let completion = CompletionShape.entityAndQuery

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        let e = try session.entity(&args)
        if args.isKeyword("where") || args.isKeyword("in") {
            let q = try QueryClauses.parse(&args, allowOrder: false, allowLimit: false)
            try args.expectEnd(usageLine)
            let ids = try session.store.list(Query(entity: e.name, filter: q.filter, order: [SortKey(FieldRef("id"))],
                                                   fields: ["id"])).rows.compactMap { row -> Int64? in
                if case .integer(let id)? = row.first { return id }
                return Int64(row.first?.displayText ?? "")
            }
            try session.prompt.guardDestructive("delete", count: ids.count, entity: e.name)
            try session.store.atomically { for id in ids { try session.store.delete(e.name, id: id) } }
            return .message("deleted \(ids.count) \(e.name)")
        }
        let id = try args.id(of: e.name)
        try args.expectEnd(usageLine)
        try session.store.delete(e.name, id: id)
        return .message("deleted \(e.name) \(id)")
    }
}
