import CRMCore

/// `tiers`: the membership tiers and their thresholds; `tiers recompute [--dry-run]`.
struct TiersVerb: Verb {
    let name = "tiers"
    let summary = "membership tiers (普通/银卡/金卡/VIP) by 12-month value: tiers [recompute [--dry-run]]"
    let usage = ["tiers", "tiers recompute [--dry-run]"]
    let details = """
        A customer's tier (customer.tier: standard 普通, silver 银卡, gold 金卡, vip VIP) is
        the highest whose threshold their value over the window reaches: the months up to
        today (tiers.months, 12), read through the value sources (won deals, or what the
        plugins declare; refunds netted). Thresholds are settings: tiers.silver (10000),
        tiers.gold (50000), tiers.vip (200000). A value exactly at a threshold reaches it.
        The window of 12 months ending 2026-12-01 is 2025-12-02 … 2026-12-01.

        `tiers` shows the thresholds and how many customers hold each tier.
        `tiers recompute` writes every change (up and down) into customer.tier, each in the
        customer's history with its reason (via `tiers recompute (up): 12-month value
        52,300.00 ≥ gold 50,000.00`); --dry-run (or the run's --dry-run) lists the changes
        and writes nothing. Run it daily from cron: crm -c 'tiers recompute'.

        Example:
          setting tiers.gold 50000
          tiers recompute --dry-run
          tiers recompute
          list customer where tier = gold
        """
    let completion = CompletionShape.nothing

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        let sources = session.plugins?.valueSources ?? []
        guard !args.atEnd else { return try overview(session, sources) }
        let word = try args.word("recompute")
        guard word.text == "recompute" else {
            throw SyntaxError(message: "expected 'recompute' after tiers, got '\(word.text)'", position: word.position)
        }
        let dryRun = try args.trailingDryRun(session.dryRun, after: "tiers recompute")
        try args.expectEnd(usageLine)
        let (changes, settings, customers) = try TierRecompute.run(session.store, sources: sources, apply: !dryRun)
        let rows: [[Value]] = changes.map { c in
            [.integer(c.customer), .text(c.name), c.from.map(Value.text) ?? .null, .text(c.to),
             .text(MembershipTiers.move(from: c.from, to: c.to)), .decimal(c.value), .text(c.reason)]
        }
        let head = "\(dryRun ? "dry run: would change" : "changed") the tier of \(changes.count) of \(customers) customers "
            + "(window \(DateCodec.dateText(days: settings.windowStart(today: session.store.clock.today))) … \(DateCodec.dateText(days: session.store.clock.today)))"
        guard !rows.isEmpty else { return .message(head) }
        return .sections([.message(head), .table(ResultTable(
            title: "Tier changes", columns: [Column("id", numeric: true), Column("name"), Column("from"), Column("to"), Column("move"),
                                             Column("value", numeric: true), Column("reason")], rows: rows))])
    }

    func overview(_ session: Session, _ sources: [ValueSource]) throws -> Output {
        let purchases = try Purchases(store: session.store, sources: sources)
        let settings = try TierSettings(store: session.store, scale: purchases.scale)
        let counts = try session.store.aggregate("customer", function: .count, field: nil, groupBy: "tier", where: nil)
        var held: [String: Value] = [:]
        for r in counts.rows { held[r[0].isNull ? "" : r[0].displayText] = r[1] }
        let rows: [[Value]] = MembershipTiers.names.enumerated().map { i, n in
            [.text(n), .text(MembershipTiers.labels[n]!), i == 0 ? .null : .decimal(settings.thresholds[i - 1]), held[n] ?? .integer(0)]
        } + [[.text("(none yet)"), .null, .null, held[""] ?? .integer(0)]]
        return .sections([.message("tiers by value over \(settings.months) months; \(purchases.sourceLines)"),
                          .table(ResultTable(title: "Membership tiers",
                                             columns: [Column("tier"), Column("label"), Column("from_value", label: "from value", numeric: true),
                                                       Column("customers", numeric: true)], rows: rows))])
    }
}
