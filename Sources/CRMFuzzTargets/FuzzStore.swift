import CRMCore

/// A small in-memory store with a few records of each kind, its clock pinned.
enum FuzzStore {
    static func make() throws -> SQLiteStore {
        let store = try SQLiteStore(path: ":memory:", user: "fuzz", clock: .fixed(fuzzNow))
        let acme = try store.create("customer", values: ["name": .text("Acme"), "city": .text("上海")])
        _ = try store.create("customer", values: ["name": .text("王芳"), "email": .text("wf@example.com")])
        _ = try store.create("deal", values: ["customer": .integer(acme), "title": .text("Renewal"),
                                              "amount": .decimal(Fixed(units: 1_234_50, scale: 2))])
        _ = try store.create("task", values: ["customer": .integer(acme), "title": .text("Call back")])
        return store
    }
}
