import CRMCore

/// `find <text> [limit N]`: substring search over customers and contacts.
struct FindVerb: Verb {
    let name = "find"
    let summary = "search customers and contacts by name, phone or email"
    let usage = ["find <text> [limit N]"]
    let details = """
        Finds records whose name, phone or email contains the text, ignoring case. Works for
        Chinese names of two characters and more through an n-gram index, so it stays fast on
        large databases. Shows 50 matches unless a limit is given.

        Examples:
          find 王芳
          find 1380000
          find "alice wang" limit 5
        """
    let completion = CompletionShape.nothing

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        var words: [String] = []
        var limit = 50
        while !args.atEnd {
            if args.isKeyword("limit"), args.index + 2 == args.tokens.count {
                _ = args.next()
                limit = try args.count("'limit'")
                break
            }
            words.append(args.gluedValue().text)
        }
        let text = words.joined(separator: " ")
        guard !text.isEmpty else { throw SyntaxError(message: "expected the text to find", position: args.endPosition) }
        return .table(try session.store.find(text, limit: limit))
    }
}

/// `history <entity> <id>`: the audit trail of one record; `history <series>`: its loads.
struct HistoryVerb: Verb {
    let name = "history"
    let summary = "show who changed a record, when, and what"
    let usage = ["history <entity> <id>", "history <series>"]
    let details = """
        Every create, update and delete is recorded with the user (--user, $CRM_USER or the
        login name), the time, the field, and the old and new values.
        A series (readings such as load_reading) keeps no history per reading: each
        import or crm.append is recorded once, and 'history <series>' lists those loads
        with their source, rows, rejected, skipped, updated and time range.

        Example:
          history customer 12
          history load_reading
        """
    let completion = CompletionShape.entityAndID

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        if let (store, series) = try SeriesCommands.named(args, session) {
            _ = args.next()
            try args.expectEnd(usageLine)
            return .table(try store.seriesLoads(series.name))
        }
        let e = try session.entity(&args)
        let id = try args.id(of: e.name)
        try args.expectEnd(usageLine)
        let table = try session.store.history(e.name, id: id)
        if table.rows.isEmpty, try session.store.record(e.name, id: id) == nil {
            throw StoreError.notFound(entity: e.name, id: id)
        }
        if session.format.isData { return .table(table) }
        return .table(try ReferenceTitles(store: session.store).resolveHistory(table, entity: e.name))
    }
}
