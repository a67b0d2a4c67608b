import CRMCore

/// `show deal N`: the deal, its team with each member's credit, and its quotes.
enum DealPicture {
    static func output(profile: RecordView, dealID id: Int64, _ session: Session) throws -> Output {
        let store = session.store
        var parts: [Output] = [.record(profile)]
        if store.schema.entity(named: "deal_member") != nil { parts.append(.table(try TeamVerb.table(id, session))) }
        if store.schema.entity(named: "quote") != nil {
            var quotes = try store.list(Query(entity: "quote", filter: .compare(FieldRef("deal"), .eq, Literal("\(id)")),
                                              order: [SortKey(FieldRef("version"))],
                                              fields: ["id", "version", "status", "subtotal", "tax", "total", "valid_until"]))
            quotes.title = "Quotes (\(quotes.rows.count))"
            parts.append(.table(quotes))
        }
        return .sections(parts)
    }
}
