import CRMCore

/// The `in SEGMENT`, `where …`, `order by …`, `limit N`, `offset N` tail shared by list,
/// count, update, export and every other verb that takes a filter. `in A where f` is
/// `in A and (f)`.
struct QueryClauses {
    var filter: Filter?
    var order: [SortKey] = []
    var limit: Int?
    var offset: Int?

    /// Parses whichever of the clauses are allowed, in order, stopping at anything else.
    static func parse(_ args: inout TokenCursor, allowOrder: Bool = true, allowLimit: Bool = true) throws -> QueryClauses {
        var q = QueryClauses()
        if args.isKeyword("in") {
            let (segment, next) = try FilterParser.parseSegment(args.tokens, from: args.index)
            q.filter = segment
            args.index = next
        }
        if args.consumeKeyword("where") {
            let (filter, next) = try FilterParser.parse(args.tokens, from: args.index)
            q.filter = q.filter.map { .and($0, filter) } ?? filter
            args.index = next
        }
        if allowOrder && args.isKeyword("order") {
            _ = args.next()
            try args.expectKeyword("by", after: "'order'")
            repeat {
                let field = try args.word("a field name after 'order by'")
                var descending = false
                if args.consumeKeyword("desc") { descending = true } else { _ = args.consumeKeyword("asc") }
                q.order.append(SortKey(FieldRef(field.text, position: field.position), descending: descending))
            } while args.peek.map { $0.kind == .symbol && $0.text == "," } == true && args.next() != nil
        }
        if allowLimit && args.consumeKeyword("limit") { q.limit = try args.count("'limit'") }
        if allowLimit && args.consumeKeyword("offset") { q.offset = try args.count("'offset'") }
        return q
    }
}
