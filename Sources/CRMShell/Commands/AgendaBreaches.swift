import CRMCore

/// The agenda's section of tickets about to breach their service-level targets.
enum AgendaBreaches {
    /// Open tickets assigned to the user, or of the user's customers, whose next target
    /// (the first response, or else the resolution) ends within sla.warn_hours working
    /// hours or has already passed, soonest first.
    static func section(_ store: CRMStore, user: Int64) throws -> Output {
        let settings = try ServiceLevelSettings(store: store)
        let now = store.clock.now()
        let rows = try store.select(sql: """
            SELECT t.id, t.priority, t.assignee, t.opened, t.responded, t.resolved, t.title, c.name
            FROM ticket t JOIN customer c ON c.id = t.customer
            WHERE t.status IN ('open', 'in_progress') AND (t.assignee = ? OR c.owner = ?) ORDER BY t.id
            """, arguments: [.integer(user), .integer(user)]).rows
        var found: [(deadline: Int, row: [Value])] = []
        let warnUntil = settings.hours.deadline(from: now, adding: settings.warn) ?? now
        for r in rows {
            guard case .integer(let id) = r[0], let opened = TicketServiceLevel.instant(r[3]) else { continue }
            let t = TicketServiceLevel(ticket: id, priority: r[1].displayText, assignee: nil, opened: opened,
                                       responded: TicketServiceLevel.instant(r[4]), resolved: TicketServiceLevel.instant(r[5]),
                                       settings: settings, now: now)
            let (target, deadline): (String, Int?) = t.responded == nil ? ("response", t.responseDeadline) : ("resolution", t.resolutionDeadline)
            guard let deadline, deadline <= warnUntil else { continue }
            let left = deadline < now ? "breached" : "\(settings.hours.seconds(from: now, to: deadline) / 60) min left"
            found.append((deadline, [.integer(id), .text(t.priority), .text(target),
                                     .datetime(DateCodec.utcText(epochSeconds: deadline)), .text(left), r[6], r[7]]))
        }
        let title = "Tickets about to breach their service level (within \(SLAReport.hours(settings.warn).displayText) working hours)"
        guard !found.isEmpty else { return .message("\(title): none") }
        return .table(ResultTable(title: title, columns: [
            Column("ticket", numeric: true), Column("priority"), Column("target"), Column("deadline"), Column("left"),
            Column("title"), Column("customer")], rows: found.sorted { ($0.deadline, $0.row[0].displayText) < ($1.deadline, $1.row[0].displayText) }.map(\.row)))
    }
}
