import CRMCore

/// `dupes customer [limit N]`: likely duplicate customers with the reason and a score.
struct DupesVerb: Verb {
    let name = "dupes"
    let summary = "likely duplicate customers (same phone, email, name in the same city): dupes customer [limit N]"
    let usage = ["dupes customer [limit <n>]"]
    // Computed: the variant table is built only when the help is read, not at every start.
    var details: String {
        """
        Pairs of customers that are likely one person, most likely first: same phone once
        spaces, dashes and a +86 / 0086 prefix are stripped (score 90), same email in any
        case (85), same name in the same city (60), the same name written in traditional and
        simplified characters in the same city (60; a table of \(ChineseVariants.count) common name
        characters). Each further reason adds 5. `a` is the older record: the one
        `merge customer b into a` keeps.

        Example:
          dupes customer
          dupes customer limit 20
          merge customer 42 into 17 --dry-run
        """
    }
    let completion = CompletionShape.entity

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        let e = try args.word("customer")
        guard e.text == "customer" else {
            throw SyntaxError(message: "dupes finds duplicate customers: write dupes customer", position: e.position)
        }
        var limit: Int?
        if args.consumeKeyword("limit") { limit = try args.count("limit") }
        try args.expectEnd(usageLine)
        let pairs = try Duplicates.find(session.store)
        let shown = limit.map { Array(pairs.prefix($0)) } ?? pairs
        return .table(ResultTable(
            title: "Likely duplicate customers: \(pairs.count) pair\(pairs.count == 1 ? "" : "s")",
            columns: [Column("a", numeric: true), Column("a_name", label: "a name"), Column("b", numeric: true),
                      Column("b_name", label: "b name"), Column("score", numeric: true), Column("reason")],
            rows: shown.map { p in
                [.integer(p.a), .text(p.aName), .integer(p.b), .text(p.bName), .integer(Int64(p.score)),
                 .text(p.reasons.map(\.rawValue).joined(separator: "; "))]
            }))
    }
}

/// `merge customer 42 into 17 [--dry-run]`.
struct MergeVerb: Verb {
    let name = "merge"
    let summary = "merge a duplicate into the record that stays: merge customer <id> into <id> [--dry-run]"
    let usage = ["merge <entity> <id> into <id> [--dry-run]"]
    let details = """
        In one transaction: every record that refers to the merged one (contacts,
        interactions, deals, tickets, tasks, and every plugin entity with a reference to it,
        found from the schema) moves to the survivor; the survivor's empty fields are filled
        from the merged record; the older registration (created) is kept, so first-visit
        ownership rules hold; both histories record the merge; the merged record is deleted.

        Plugin rules see a `merge` event (crm.before("merge", "customer", …) with the survivor
        as it will be and the merged record) and may refuse it or change the survivor: the
        real-estate plugin refuses merging customers registered by different salespeople
        while both protections run. --dry-run (or the run's --dry-run) runs it all, rules
        included, and keeps nothing: it shows what would move.

        Example:
          dupes customer
          merge customer 42 into 17 --dry-run
          merge customer 42 into 17
          history customer 17
        """
    let completion = CompletionShape.entityAndID

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        let e = try session.entity(&args)
        let merged = try args.id(of: e.name)
        try args.expectKeyword("into", after: "merge \(e.name) \(merged)")
        let survivor = try args.id(of: e.name)
        let dryRun = try args.trailingDryRun(session.dryRun, after: "merge \(e.name) \(merged) into \(survivor)")
        try args.expectEnd(usageLine)
        guard let store = session.store as? MergingStore else { throw ScriptError("merge needs a SQLite or PostgreSQL database") }
        let plan = try store.merge(e.name, merged, into: survivor, dryRun: dryRun)
        let head = dryRun ? "dry run, nothing kept: merge \(e.name) \(merged) into \(survivor) would do: "
                          : "merged \(e.name) \(merged) into \(survivor): "
        var rows: [[Value]] = plan.moves.map { [.text("move"), .text("\($0.entity).\($0.field)"), .integer(Int64($0.count))] }
        rows += plan.filled.map { [.text("fill"), .text("\(e.name).\($0.field)"), $0.value] }
        if let c = plan.olderCreated { rows.append([.text("keep"), .text("\(e.name).created"), .datetime(c)]) }
        guard !rows.isEmpty else { return .message(head + plan.summary) }
        return .sections([.message(head + plan.summary),
                          .table(ResultTable(columns: [Column("what"), Column("field"), Column("value")], rows: rows))])
    }
}
