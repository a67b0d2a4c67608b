import CRMCore

/// Tasks and deals to iCalendar files that calendar and to-do apps import
/// (`export task … to x.ics`, `export deal … to x.ics`).
enum TaskCalendar {
    /// Writes the tasks a query selects as `VTODO`s (due date, status, customer and
    /// assignee in the description); returns how many. `dryRun` writes nothing.
    static func exportTasks(_ query: Query, store: CRMStore, to path: String, dryRun: Bool = false) throws -> Int {
        let rows = try fetch(query, ["id", "customer", "title", "assignee", "due", "status", "notes", "created", "updated"], store)
        var names = ReferenceNames(store: store)
        var calendar = ICalendar(stamp: store.clock.now())
        for row in rows {
            let status: ICalendar.Todo.Status
            switch row["status"]?.displayText {
            case "done": status = .done
            case "cancelled": status = .cancelled
            default: status = .open
            }
            var about: [String] = []
            if let customer = try names.title(of: "customer", row["customer"] ?? .null) { about.append("Customer: \(customer)") }
            if let assignee = try names.title(of: "user", row["assignee"] ?? .null) { about.append("Assignee: \(assignee)") }
            if let notes = row["notes"]?.displayText, !notes.isEmpty { about.append((about.isEmpty ? "" : "\n") + notes) }
            calendar.todos.append(ICalendar.Todo(
                uid: uid("task", row), summary: row["title"]?.displayText ?? "",
                due: dueDate(row["due"]), status: status,
                description: about.isEmpty ? nil : about.joined(separator: "\n"),
                created: epoch(row["created"]), modified: epoch(row["updated"])))
        }
        if !dryRun { try ContactCards.write(calendar.text, to: path) }
        return rows.count
    }

    /// Writes each selected deal's expected close as an all-day `VEVENT`; deals without
    /// one are left out. Returns how many were written and how many left out.
    static func exportDeals(_ query: Query, store: CRMStore, to path: String, dryRun: Bool = false) throws -> (written: Int, leftOut: Int) {
        let rows = try fetch(query, ["id", "customer", "title", "amount", "stage", "expected_close", "owner", "updated", "created"], store)
        var names = ReferenceNames(store: store)
        var calendar = ICalendar(stamp: store.clock.now())
        for row in rows {
            guard let day = dueDate(row["expected_close"]) else { continue }
            let customer = try names.title(of: "customer", row["customer"] ?? .null)
            var about: [String] = []
            if let customer { about.append("Customer: \(customer)") }
            if let amount = row["amount"], !amount.isNull { about.append("Amount: \(amount.displayText)") }
            if let stage = row["stage"]?.displayText { about.append("Stage: \(stage)") }
            if let owner = try names.title(of: "user", row["owner"] ?? .null) { about.append("Owner: \(owner)") }
            let title = row["title"]?.displayText ?? ""
            calendar.events.append(ICalendar.Event(
                uid: uid("deal", row), summary: "Expected close: \(title)" + (customer.map { " (\($0))" } ?? ""),
                date: day, description: about.joined(separator: "\n"), modified: epoch(row["updated"])))
        }
        if !dryRun { try ContactCards.write(calendar.text, to: path) }
        return (calendar.events.count, rows.count - calendar.events.count)
    }

    static func fetch(_ query: Query, _ fields: [String], _ store: CRMStore) throws -> [[String: Value]] {
        var query = query
        query.fields = fields
        var rows: [[String: Value]] = []
        try store.scan(query) { row in rows.append(Dictionary(zip(fields, row), uniquingKeysWith: { a, _ in a })) }
        return rows
    }

    /// The same UID for the same record every time it is exported.
    static func uid(_ entity: String, _ row: [String: Value]) -> String {
        StableID.uuid("crm/\(entity)/\(row["id"]?.displayText ?? "")/\(row["created"]?.displayText ?? "")") + "@crm-shell"
    }

    static func dueDate(_ value: Value?) -> String? {
        guard case .date(let text)? = value else { return nil }
        return text
    }

    static func epoch(_ value: Value?) -> Int? {
        guard case .datetime(let text)? = value else { return nil }
        return DateCodec.epochSeconds(utc: text)
    }
}
