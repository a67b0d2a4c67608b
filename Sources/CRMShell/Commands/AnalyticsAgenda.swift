import CRMCore

/// `agenda [user]`: what a salesperson should do today.
struct AgendaVerb: Verb {
    let name = "agenda"
    let summary = "a salesperson's day: tasks due, birthdays, customers at risk, late tickets: agenda [user]"
    let usage = ["agenda [<user>] [days=N]"]
    let details = """
        What a salesperson should do today, for the user you run as (CRM_USER / --user) or
        the one named: open tasks assigned to them due today or overdue; birthdays and
        anniversaries of their customers in the next analytics.agenda_days days (days=N);
        their customers at churn risk (see churn-risk), most value first; and their
        customers' tickets still open analytics.agenda_ticket_days days after they were
        opened. A 29 February birthday is greeted on 28 February in other years.

        Example:
          agenda
          agenda 李娜 days=14
        """
    let completion = CompletionShape.nothing

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        var who: String?
        var texts: [String: String] = [:]
        while !args.atEnd {
            let word = try args.word("a user name or days=N")
            if let eq = args.peek, eq.kind == .symbol, eq.text == "=", !eq.spaceBefore {
                _ = args.next()
                texts[word.text] = args.atEnd ? "" : args.gluedValue().text
            } else if who == nil {
                who = word.text
            } else {
                throw SyntaxError(message: "expected one user name; usage: \(usageLine)", position: word.position)
            }
        }
        for key in texts.keys where key != "days" {
            throw ScriptError("agenda has no parameter '\(key)'; its parameter: days")
        }
        let store = session.store
        let settings = try AnalyticsSettings(store: store)
        var ahead = settings.agendaDays
        if let d = texts["days"] {
            guard let n = Int(d), n >= 0, n <= 366 else { throw ScriptError("agenda: days='\(d)' is not a whole number of days from 0 to 366") }
            ahead = n
        }
        let name = who ?? store.user
        let context = AnalysisContext(session: session, arguments: ["owner": .text(name)], apply: false)
        guard let user = try? context.user("owner") else {
            throw ScriptError("agenda: no user is named '\(name)'" + (who == nil ? " (you run as \(name); name one: agenda <user>)" : ""))
        }
        let today = store.clock.today
        let todayText = DateCodec.dateText(days: today)
        var parts: [Output] = [.message("Agenda of \(name) for \(todayText)")]

        let tasks = try store.select(sql: """
            SELECT t.id, t.due, t.title, c.name FROM task t LEFT JOIN customer c ON c.id = t.customer
            WHERE t.assignee = ? AND t.status = 'open' AND t.due IS NOT NULL AND t.due <= ? ORDER BY t.due, t.id
            """, arguments: [.integer(user), .text(todayText)])
        parts.append(section("Tasks due and overdue", tasks.rows.map { r in
            [r[0], r[1], .text(r[1].displayText < todayText ? "overdue" : "today"), r[2], r[3]]
        }, columns: [Column("task", numeric: true), Column("due"), Column("when"), Column("title"), Column("customer")],
           none: "no open task is due"))

        var greetings: [[Value]] = []
        guard let modules = store as? ModuleStore else { throw ScriptError("agenda needs a SQLite or PostgreSQL database") }
        try modules.idTexts(sql: "SELECT id, birthday FROM customer WHERE owner = \(user) AND birthday IS NOT NULL") { id, text in
            guard let text, let born = DateCodec.days(ofDate: text) else { return }
            let b = DateCodec.civilFromDays(born)
            for offset in 0...ahead {
                let day = DateCodec.civilFromDays(today + offset)
                let leap = day.year % 4 == 0 && (day.year % 100 != 0 || day.year % 400 == 0)
                let (m, d) = (b.month == 2 && b.day == 29 && !leap) ? (2, 28) : (b.month, b.day)
                if day.month == m && day.day == d {
                    greetings.append([.integer(id), .date(DateCodec.dateText(days: today + offset)), .integer(Int64(offset)),
                                      .integer(Int64(day.year - b.year)), .text(text)])
                    break
                }
            }
        }
        func offset(_ row: [Value]) -> Int64 { if case .integer(let n) = row[2] { return n } else { return 0 } }
        greetings.sort { offset($0) < offset($1) }
        let names = try AnalyticsLookup.names(greetings.map { if case .integer(let id) = $0[0] { return id } else { return 0 } }, store: store)
        parts.append(section("Birthdays and anniversaries in the next \(ahead) days", greetings.map { g in
            var row = g
            if case .integer(let id) = g[0] { row.insert(names[id].map(Value.text) ?? .null, at: 1) }
            return row
        }, columns: [Column("customer", numeric: true), Column("name"), Column("on"), Column("in_days", label: "in days", numeric: true),
                     Column("years", numeric: true), Column("birthday")], none: "no birthday or anniversary coming"))

        let churn = try AnalyticsChurn.table(context, owner: user, limit: 10, end: today)
        parts.append(churn.rows.rows.isEmpty ? .message("Customers at risk: none")
                                             : .table(ResultTable(title: "Customers at risk (\(churn.found))", columns: churn.rows.columns,
                                                                  rows: churn.rows.rows)))

        let cutoff = DateCodec.utcText(epochSeconds: store.clock.now() - settings.agendaTicketDays * 86400)
        let tickets = try store.select(sql: """
            SELECT t.id, t.opened, t.priority, t.status, t.title, c.name FROM ticket t JOIN customer c ON c.id = t.customer
            WHERE c.owner = ? AND t.status IN ('open', 'in_progress') AND t.opened <= ? ORDER BY t.opened, t.id
            """, arguments: [.integer(user), .text(cutoff)])
        parts.append(section("Open tickets of your customers past \(settings.agendaTicketDays) days", tickets.rows.map { r in
            [r[0], .datetime(r[1].displayText), r[2], r[3], r[4], r[5]]
        }, columns: [Column("ticket", numeric: true), Column("opened"), Column("priority"), Column("status"), Column("title"),
                     Column("customer")], none: "no late ticket"))
        parts.append(try AgendaBreaches.section(store, user: user))
        return .sections(parts)
    }

    func section(_ title: String, _ rows: [[Value]], columns: [Column], none: String) -> Output {
        rows.isEmpty ? .message("\(title): \(none)") : .table(ResultTable(title: title, columns: columns, rows: rows))
    }
}
