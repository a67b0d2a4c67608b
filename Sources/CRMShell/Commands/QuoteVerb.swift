import CRMCore

/// `quote …`: a deal's quotes and their life: show, send, revise (a new version),
/// accept (sets the deal's amount), reject. Lines are written with `add quote_line`.
struct QuoteVerb: Verb {
    let name = "quote"
    let summary = "quotes for a deal: quote new|show|send|revise|accept|reject N"
    let usage = ["quote new <deal>", "quote show <quote>", "quote send <quote>", "quote revise <quote>",
                 "quote accept <quote>", "quote reject <quote>", "quote list <deal>"]
    let details = """
        A quote is made for a deal as a draft (version 1, then 2, 3 … per revision) with
        the tax rate of the setting quotes.tax_rate. Its lines (add quote_line quote=N
        product=CODE quantity=… [unit_price=…] [discount=…]) take the product's list price
        unless given; each line's amount is quantity × price × (1 − discount %), to the
        cent, and the quote's subtotal, tax and total follow its lines. Quantities are 0
        or more, discounts 0–100%.

        Once sent, a quote is never edited: 'quote revise N' copies it into a new draft
        version. Accepting a sent quote sets the deal's amount to its total and marks the
        deal's other open versions superseded; a rejected quote stays as it was.

        Examples:
          quote new 7
          add quote_line quote=3 product=SW-PRO quantity=2 discount=10
          quote send 3
          quote revise 3
          quote accept 4
        """
    let completion = CompletionShape.nothing

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        let store = session.store
        let sub = try args.word("new, show, send, revise, accept, reject or list")
        switch sub.text.lowercased() {
        case "new":
            let deal = try args.id(of: "deal")
            try args.expectEnd(usageLine)
            let id = try store.create("quote", values: ["deal": .integer(deal)])
            return try show(id, store, session)
        case "show":
            let id = try args.id(of: "quote")
            try args.expectEnd(usageLine)
            return try show(id, store, session)
        case "list":
            let deal = try args.id(of: "deal")
            try args.expectEnd(usageLine)
            return .table(try store.list(Query(entity: "quote", filter: .compare(FieldRef("deal"), .eq, Literal("\(deal)")),
                                               order: [SortKey(FieldRef("version"))])))
        case "send", "accept", "reject":
            let id = try args.id(of: "quote")
            try args.expectEnd(usageLine)
            let status = ["send": "sent", "accept": "accepted", "reject": "rejected"][sub.text.lowercased()]!
            guard try store.record("quote", id: id) != nil else { throw StoreError.notFound(entity: "quote", id: id) }
            _ = try store.update("quote", id: id, values: ["status": .text(status)])
            return try show(id, store, session)
        case "revise":
            let id = try args.id(of: "quote")
            try args.expectEnd(usageLine)
            guard let old = try store.record("quote", id: id) else { throw StoreError.notFound(entity: "quote", id: id) }
            let lines = try store.select(sql: "SELECT product, quantity, unit_price, discount FROM quote_line WHERE quote = ? ORDER BY id",
                                         arguments: [.integer(id)]).rows
            let new = try store.atomically { () -> Int64 in
                let q = try store.create("quote", values: ["deal": old["deal"], "tax_rate": old["tax_rate"],
                                                           "valid_until": old["valid_until"], "notes": old["notes"]])
                for l in lines {
                    _ = try store.create("quote_line", values: ["quote": .integer(q), "product": l[0], "quantity": l[1],
                                                                "unit_price": l[2], "discount": l[3]])
                }
                return q
            }
            return try show(new, store, session)
        default:
            throw SyntaxError(message: "expected new, show, send, revise, accept, reject or list after 'quote'", position: sub.position)
        }
    }

    /// The quote and its lines.
    func show(_ id: Int64, _ store: CRMStore, _ session: Session) throws -> Output {
        guard let record = try store.record("quote", id: id), let e = store.schema.entity(named: "quote") else {
            throw StoreError.notFound(entity: "quote", id: id)
        }
        var view = try RecordPresenter(store: store).view(of: record, entity: e)
        view.title = "quote \(id): version \(record["version"].displayText), \(record["status"].displayText)"
        var lines = try store.list(Query(entity: "quote_line", filter: .compare(FieldRef("quote"), .eq, Literal("\(id)")),
                                         order: [SortKey(FieldRef("id"))],
                                         fields: ["id", "product", "quantity", "unit_price", "discount", "amount"]))
        if !session.format.isData { lines = try ReferenceTitles(store: store).resolve(lines, entity: "quote_line") }
        lines.title = "Lines (\(lines.rows.count))"
        return .sections([.record(view), .table(lines)])
    }
}

/// `team <deal>`: the deal team with roles, shares and each member's credit.
struct TeamVerb: Verb {
    let name = "team"
    let summary = "the deal team: members, roles, shares and credited value of a deal"
    let usage = ["team <deal>"]
    let details = """
        Members are added with add deal_member deal=N user=NAME role=… share=…. Shares
        never sum past 100%; a deal is won only when its team sums to exactly 100% (or it
        has no team: its owner takes the credit), and a won deal's team changes only in
        ways that keep 100%. Credit = share × the deal's amount, to the cent, the cents
        left over going to the largest remainders so the parts sum to the amount.

        Examples:
          add deal_member deal=7 user=王芳 role=lead share=60
          add deal_member deal=7 user=李伟 role=presales share=40
          team 7
        """
    let completion = CompletionShape.nothing

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        let deal = try args.id(of: "deal")
        try args.expectEnd(usageLine)
        return .table(try TeamVerb.table(deal, session))
    }

    static func table(_ deal: Int64, _ session: Session) throws -> ResultTable {
        let credit = try DealCredit.of(deal: deal, session.store)
        let titles = ReferenceTitles(store: session.store)
        let rows: [[Value]] = try credit.parts.map { p in
            let user: Value = try p.user.map { session.format.isData ? .integer($0) : .text(try titles.text(target: "user", id: $0)) } ?? .null
            return [p.member.map(Value.integer) ?? .null, user, .text(p.role), .decimal(p.share), .decimal(p.credit)]
        }
        let sum = credit.parts.reduce(Int64(0)) { $0 + $1.share.units }
        return ResultTable(title: "Team (\(credit.parts.first?.member == nil ? "none: the owner is credited" : "\(credit.parts.count), shares \(Fixed(units: sum, scale: 2))%"))",
                           columns: [Column("id", numeric: true), Column("user"), Column("role"),
                                     Column("share", label: "share %", numeric: true), Column("credit", numeric: true)],
                           rows: rows)
    }
}
