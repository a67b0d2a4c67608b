import CRMCore

/// `list <entity> [columns …] [where …] [order by …] [limit N] [offset N]`: records as a table.
struct ListVerb: Verb {
    let name = "list"
    let summary = "list records, filtered, ordered and limited"
    let usage = ["list <entity> [columns <field>, …|*] [in <segment>] [where <filter>] [order by <field> [asc|desc], …] [limit N] [offset N]"]
    let details = """
        columns picks the fields shown for this command (* or all: every field); the
        command columns sets them for the session, and an entity's plugin may declare
        its defaults (see columns).

        Filters compare fields with = != < <= > >=, ~ (contains, ignoring case), in (a, b),
        is null and is not null, combined with and, or, not and parentheses. Dates can be
        2026-11-22, today, yesterday, -7d, +2w, -3m, +1y; on a datetime field a date means the
        whole local day. Quote values with spaces: city = "San Francisco".
        References show the id and the title they point to (12 王芳), as in show; in csv,
        json and ndjson they are the bare id. A series (list load_reading …) is listed in
        key and time order, the key by its title: where account = 3301000100.

        Examples:
          list customer where city = 上海 and stage in (growth, maturity) order by name limit 20
          list task where status = open and due <= today order by due
          list interaction where at >= -7d and kind = visit
          list customer where name ~ wang or email is null
          list customer columns name, city, owner where stage = growth
        """
    let completion = CompletionShape.entityAndQuery

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        // A series (readings declared with crm.series): SeriesCommands.swift.
        if let (store, series) = try SeriesCommands.named(args, session) {
            return try SeriesCommands.list(&args, session, store, series, usage: usageLine)
        }
        let e = try session.entity(&args)
        let chosen = args.consumeKeyword("columns") ? try ColumnChoice.parse(&args, entity: e) : nil
        let q = try QueryClauses.parse(&args)
        try args.expectEnd(usageLine)
        let table = try session.store.list(Query(entity: e.name, filter: q.filter, order: q.order,
                                                 limit: q.limit, offset: q.offset,
                                                 fields: session.listColumns(e, chosen: chosen)))
        // References read "12 王芳" as in show; csv and json keep the id a program joins on.
        if session.format.isData { return .table(table) }
        return .table(try ReferenceTitles(store: session.store).resolve(table, entity: e.name))
    }
}

/// `count <entity> [where …]`: how many records match.
struct CountVerb: Verb {
    let name = "count"
    let summary = "count the records that match a filter"
    let usage = ["count <entity> [in <segment>] [where <filter>]"]
    let details = """
        Examples:
          count customer
          count ticket where status != closed and priority in (high, urgent)
        """
    let completion = CompletionShape.entityAndQuery

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        if let (store, series) = try SeriesCommands.named(args, session) {
            return try SeriesCommands.count(&args, session, store, series, usage: usageLine)
        }
        let e = try session.entity(&args)
        let q = try QueryClauses.parse(&args, allowOrder: false, allowLimit: false)
        try args.expectEnd(usageLine)
        return .message(String(try session.store.count(e.name, where: q.filter)))
    }
}
