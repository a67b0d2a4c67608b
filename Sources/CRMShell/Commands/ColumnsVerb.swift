import CRMCore

/// `columns [<entity> [<field>, …|*|default]]`: shows or sets the columns `list` shows.
struct ColumnsVerb: Verb {
    let name = "columns"
    let summary = "show or set the columns list shows for an entity: columns customer name, city"
    let usage = ["columns [<entity> [<field>, … | * | default]]"]
    let details = """
        Sets, for the rest of the session, which fields list shows for an entity, in that
        order (id comes first unless you place it). * or all shows every field; default
        goes back to the entity's own choice (a plugin may declare it with list = { … },
        also for a core entity it extends). columns <entity> shows the current choice and
        columns alone every entity's. One list takes its own: list customer columns name, city.
        The choice applies to every output format; export writes every field unless it
        is given columns too.

        Examples:
          columns customer name, city, owner
          columns customer
          columns task *
          columns customer default
        """
    let completion = CompletionShape.entity

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        guard !args.atEnd else {
            let rows = session.store.schema.entities.map { e -> [Value] in
                [.text(e.name), .text(Self.current(e, session)), .text(session.columns[e.name] == nil ? "default" : "session")]
            }
            return .table(ResultTable(columns: [Column("entity"), Column("columns"), Column("from")], rows: rows))
        }
        let e = try session.entity(&args)
        if args.atEnd { return .message("columns \(e.name) \(Self.current(e, session))") }
        if args.consumeKeyword("default") {
            try args.expectEnd(usageLine)
            session.columns[e.name] = nil
            return .message("columns \(e.name) \(Self.current(e, session)) (default)")
        }
        let choice = try ColumnChoice.parse(&args, entity: e)
        try args.expectEnd(usageLine)
        session.columns[e.name] = choice
        return .message("columns \(e.name) \(Self.current(e, session))")
    }

    /// `id, name, city` as list would show them now.
    static func current(_ e: EntityDefinition, _ session: Session) -> String {
        session.listColumns(e, chosen: nil).joined(separator: ", ")
    }
}
