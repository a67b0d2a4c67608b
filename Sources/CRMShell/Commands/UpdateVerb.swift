import CRMCore

/// `update <entity> <id> set …` or `update <entity> where … set …`.
struct UpdateVerb: Verb {
    let name = "update"
    let summary = "change fields of one record, or of every record matching a filter"
    let usage = ["update <entity> <id> set field=value …", "update <entity> where <filter> set field=value …"]
    let details = """
        Prints how many records were changed (one that already had the values is not
        counted). All of the matching records change, or none if one of them is refused.
        An empty value (field=) clears the field.

        Examples:
          update customer 12 set stage=growth value_class=A
          update task where assignee = 张伟 and status = open set assignee=李娜
        """
    let completion = CompletionShape.entityAndQuery

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        let e = try session.entity(&args)
        if args.isKeyword("where") {
            let q = try QueryClauses.parse(&args, allowOrder: false, allowLimit: false)
            try args.expectKeyword("set", after: "the filter")
            let values = try assignments(e, &args, session)
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

/// `delete <entity> <id>`: removes a record nothing else refers to.
struct DeleteVerb: Verb {
    let name = "delete"
    let summary = "delete a record (refused while other records refer to it)"
    let usage = ["delete <entity> <id>"]
    let details = """
        Refuses when other records reference it, saying which, so nothing is left dangling.
        The deleted values stay in the audit history.

        Example:
          delete task 31
        """
    let completion = CompletionShape.entityAndID

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        let e = try session.entity(&args)
        let id = try args.id(of: e.name)
        try args.expectEnd(usageLine)
        try session.store.delete(e.name, id: id)
        return .message("deleted \(e.name) \(id)")
    }
}
