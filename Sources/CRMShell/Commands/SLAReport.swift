import CRMCore

/// `sla`: the share of tickets within their service-level targets, by priority, owner
/// (assignee) and month.
enum SLAReport {
    static let verb = AnalysisVerb(
        name: "sla",
        summary: "service levels: tickets within first-response and resolution targets by priority, owner, month",
        details: """
            Measures every ticket opened in the period (from=/to=, by its opening day) in
            working hours (sla.days, sla.start, sla.end, sla.holidays): the time to its first
            response (ticket.responded, set when it leaves open) against
            sla.response_<priority>, and to its resolution against sla.resolution_<priority>.
            A target is met when the working time is at most the target (a reply at the
            deadline minute meets it); a ticket still waiting past its deadline has missed
            it; one still waiting before it is pending and not counted. Shares by priority,
            by owner (the assignee) and by month opened; detail=yes lists every ticket.

            Example:
              sla
              sla from=2026-11-01 to=2026-11-30 detail=yes
              setting sla.response_urgent 0.5
            """,
        parameters: [
            AnalysisParameter(name: "from", type: .date, defaultText: nil, label: "first opening day (default: all)"),
            AnalysisParameter(name: "to", type: .date, defaultText: nil, label: "last opening day (default: today)"),
            AnalysisParameter(name: "detail", type: .bool, defaultText: "no", label: "list every ticket with its times"),
        ],
        body: run)

    static func run(_ c: AnalysisContext) throws -> Output {
        let settings = try ServiceLevelSettings(store: c.store)
        let tickets = try TicketServiceLevel.all(c.store, settings: settings, from: c.day("from"), to: c.day("to"))
        guard !tickets.isEmpty else { return .message("sla: no ticket opened in the period") }
        let assignees = try RecordTitles.of("user", tickets.compactMap(\.assignee), store: c.store)
        func month(_ t: TicketServiceLevel) -> String { String(DateCodec.dateText(days: DateCodec.localDay(epochSeconds: t.opened)).prefix(7)) }
        func owner(_ t: TicketServiceLevel) -> String { t.assignee.map { "\($0) \(assignees[$0] ?? "")" } ?? "(unassigned)" }

        var parts: [Output] = [.message(targets(settings))]
        let order = ServiceLevelSettings.priorities
        parts.append(table("By priority", "priority", tickets, key: { $0.priority },
                           sort: { (order.firstIndex(of: $0) ?? 9) < (order.firstIndex(of: $1) ?? 9) }))
        parts.append(table("By owner", "owner", tickets, key: owner, sort: <))
        parts.append(table("By month", "month", tickets, key: month, sort: <))
        if case .bool(true)? = c.arguments["detail"] {
            func when(_ t: Int?) -> Value { t.map { .datetime(DateCodec.utcText(epochSeconds: $0)) } ?? .null }
            func met(_ b: Bool?) -> Value { b.map { .text($0 ? "met" : "missed") } ?? .text("pending") }
            parts.append(.table(ResultTable(title: "Tickets", columns: [
                Column("ticket", numeric: true), Column("priority"), Column("owner"), Column("opened"),
                Column("responded"), Column("response_hours", label: "response h", numeric: true), Column("response"),
                Column("resolved"), Column("resolution_hours", label: "resolution h", numeric: true), Column("resolution")],
                rows: tickets.map { t in
                    [.integer(t.ticket), .text(t.priority), .text(owner(t)), when(t.opened), when(t.responded),
                     hours(t.responseTime), met(t.responseMet), when(t.resolved), hours(t.resolutionTime), met(t.resolutionMet)]
                })))
        }
        return .sections(parts)
    }

    static func hours(_ seconds: Int?) -> Value {
        guard let seconds, let f = Fixed.quotient(Int64(seconds), numeratorScale: 0, dividedBy: 3600, scale: 2) else { return .null }
        return .decimal(f)
    }

    static func targets(_ s: ServiceLevelSettings) -> String {
        let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        let days = (1...7).filter { s.hours.days.contains($0) }.map { names[$0 - 1] }.joined(separator: ",")
        let each = ServiceLevelSettings.priorities.map { p in
            "\(p) \(hours(s.response[p]).displayText)/\(hours(s.resolution[p]).displayText)"
        }.joined(separator: ", ")
        return "Targets in working hours (response/resolution): \(each); working hours \(days) "
            + "\(s.hours.start / 3600):00–\(s.hours.end / 3600):00" + (s.hours.holidays.isEmpty ? "" : ", \(s.hours.holidays.count) holidays")
    }

    static func table(_ title: String, _ name: String, _ tickets: [TicketServiceLevel], key: (TicketServiceLevel) -> String,
                      sort: (String, String) -> Bool) -> Output {
        var groups: [String: [TicketServiceLevel]] = [:]
        for t in tickets { groups[key(t), default: []].append(t) }
        func row(_ name: String, _ list: [TicketServiceLevel]) -> [Value] {
            let responses = list.compactMap(\.responseMet), resolutions = list.compactMap(\.resolutionMet)
            let rMet = responses.filter { $0 }.count, sMet = resolutions.filter { $0 }.count
            return [.text(name), .integer(Int64(list.count)), .integer(Int64(responses.count)), .integer(Int64(rMet)),
                    Money.percent(Int64(rMet), of: Int64(responses.count)), .integer(Int64(resolutions.count)), .integer(Int64(sMet)),
                    Money.percent(Int64(sMet), of: Int64(resolutions.count))]
        }
        let rows = groups.keys.sorted(by: sort).map { row($0, groups[$0]!) } + [row("total", tickets)]
        return .table(ResultTable(title: title, columns: [
            Column(name), Column("tickets", numeric: true), Column("responses", label: "responses measured", numeric: true),
            Column("response_met", label: "response met", numeric: true), Column("response_share", label: "response %", numeric: true),
            Column("resolutions", label: "resolutions measured", numeric: true), Column("resolution_met", label: "resolution met", numeric: true),
            Column("resolution_share", label: "resolution %", numeric: true)], rows: rows))
    }
}
