import GRDB

/// The demo data of the relationship modules: a few duplicates for `dupes`, birthdays
/// (one on Feb 29) and a contract anniversary today for `care today`, and tiers computed.
enum CareDemo {
    static func fill(_ store: CRMStore, customers: Int) throws {
        guard customers >= 20 else { return }
        let today = store.clock.today
        let t = DateCodec.civilFromDays(today)
        func customer(_ id: Int) throws -> Record? { try store.record("customer", id: Int64(id)) }
        // The last customer is the first one again, phone typed with +86 and dashes.
        if let first = try customer(1), case .text(let phone) = first["phone"], phone.count == 11 {
            let a = phone.prefix(3), b = phone.dropFirst(3).prefix(4), c = phone.suffix(4)
            try store.update("customer", id: Int64(customers), values: ["name": first["name"], "phone": .text("+86 \(a)-\(b)-\(c)"),
                                                                       "city": first["city"]])
        }
        // One email again in capitals, on another record.
        for id in 2..<customers / 2 {
            guard let r = try customer(id), case .text(let email) = r["email"] else { continue }
            try store.update("customer", id: Int64(customers - 1), values: ["name": r["name"], "email": .text(email.uppercased())])
            break
        }
        // A Chinese name in traditional characters, in the same city.
        let traditional = Dictionary(ChineseVariants.simplified.map { ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })
        for id in 3..<customers / 2 {
            guard let r = try customer(id), case .text(let name) = r["name"], !r["city"].isNull else { continue }
            let variant = String(name.map { traditional[$0] ?? $0 })
            guard variant != name else { continue }
            try store.update("customer", id: Int64(customers - 2), values: ["name": .text(variant), "city": r["city"], "phone": .null,
                                                                           "email": .null])
            break
        }
        // Birthdays today (one born on Feb 29, greeted on Feb 28 in other years).
        func date(_ y: Int, _ m: Int, _ d: Int) -> Value { .date(DateCodec.dateText(days: DateCodec.daysFromCivil(y, m, d))) }
        try store.update("customer", id: 5, values: ["birthday": t.month == 2 && t.day == 28 ? date(1988, 2, 29) : date(t.year - 35, t.month, t.day)])
        try store.update("customer", id: 9, values: ["birthday": date(t.year - 42, t.month, t.day)])
        try store.update("customer", id: 13, values: ["birthday": date(1988, 2, 29)])
        // A contract anniversary: the first won deal closed a year ago today.
        let won = try store.list(Query(entity: "deal", filter: .compare(FieldRef("stage"), .eq, Literal("won", quoted: true)),
                                       order: [SortKey(FieldRef("id"))], limit: 1, fields: ["id"]))
        if case .integer(let deal)? = won.rows.first?.first {
            let lastYear = CareToday.observed(month: t.month, day: t.day, in: t.year - 1)
            try store.update("deal", id: deal, values: ["closed": date(t.year - 1, lastYear.month, lastYear.day)])
        }
        _ = try TierRecompute.run(store, sources: [], apply: true)
    }
}
