import CRMCore

/// The customer's whole picture: profile, contacts, latest interactions, open tasks,
/// open deals and open tickets, as one sectioned output.
struct CustomerPicture {
    let store: CRMStore
    /// Show references as "id title" (the human formats) rather than bare ids.
    var titledReferences = true
    static let latestInteractions = 10

    func output(profile: RecordView, customerID id: Int64) throws -> Output {
        let references = ReferenceTitles(store: store)
        let mine = Filter.compare(FieldRef("customer"), .eq, Literal(String(id)))
        func section(_ title: String, _ entity: String, _ filter: Filter, order: [SortKey] = [],
                     limit: Int? = nil, fields: [String]) throws -> Output? {
            guard store.schema.entity(named: entity) != nil else { return nil }
            var table = try store.list(Query(entity: entity, filter: filter, order: order, limit: limit, fields: fields))
            if titledReferences { table = try references.resolve(table, entity: entity) }
            let total = limit == nil ? table.rows.count : try store.count(entity, where: filter)
            table.title = "\(title) (\(total))"
            return .table(table)
        }
        let parts: [Output?] = [
            .record(profile),
            try section("Contacts", "contact", mine, fields: ["id", "name", "title", "phone", "email"]),
            try section("Latest interactions", "interaction", mine, order: [SortKey(FieldRef("at"), descending: true)],
                        limit: Self.latestInteractions, fields: ["id", "at", "kind", "by", "summary", "outcome"]),
            try section("Open tasks", "task", .and(mine, .compare(FieldRef("status"), .eq, Literal("open"))),
                        order: [SortKey(FieldRef("due"))], fields: ["id", "due", "title", "assignee"]),
            try section("Open deals", "deal", .and(mine, .not(.isIn(FieldRef("stage"), [Literal("won"), Literal("lost")]))),
                        order: [SortKey(FieldRef("expected_close"))], fields: ["id", "title", "stage", "amount", "expected_close"]),
            try section("Open tickets", "ticket", .and(mine, .isIn(FieldRef("status"), [Literal("open"), Literal("in_progress")])),
                        order: [SortKey(FieldRef("opened"), descending: true)], fields: ["id", "opened", "kind", "priority", "status", "title"]),
        ]
        return .sections(parts.compactMap { $0 })
    }
}
