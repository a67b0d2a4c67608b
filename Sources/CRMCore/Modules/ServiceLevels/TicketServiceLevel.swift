/// One ticket measured against its service-level targets, in working time.
///
/// The first response is the ticket's `responded` time (set by the first reply: moving
/// the ticket out of `open`, or given); the resolution is its `resolved` time. A target is
/// met when the working time taken is at most the target (a reply at the deadline minute
/// meets it); a ticket still waiting past its deadline has already missed it; one still
/// waiting before its deadline is pending (nil).
public struct TicketServiceLevel: Sendable, Equatable {
    public var ticket: Int64
    public var priority: String
    public var assignee: Int64?
    public var opened: Int
    public var responded: Int?
    public var resolved: Int?
    public var responseDeadline: Int?
    public var resolutionDeadline: Int?
    /// Working seconds to the first response and to the resolution, when there are.
    public var responseTime: Int?
    public var resolutionTime: Int?
    public var responseMet: Bool?
    public var resolutionMet: Bool?

    public init(ticket: Int64, priority: String, assignee: Int64?, opened: Int, responded: Int?, resolved: Int?,
                settings: ServiceLevelSettings, now: Int) {
        self.ticket = ticket
        self.priority = priority
        self.assignee = assignee
        self.opened = opened
        self.responded = responded
        self.resolved = resolved
        let hours = settings.hours
        func measure(_ at: Int?, target: Int?) -> (deadline: Int?, time: Int?, met: Bool?) {
            guard let target else { return (nil, at.map { hours.seconds(from: opened, to: $0) }, nil) }
            let deadline = hours.deadline(from: opened, adding: target)
            if let at {
                let time = hours.seconds(from: opened, to: at)
                return (deadline, time, time <= target)
            }
            guard let deadline else { return (nil, nil, nil) }
            return (deadline, nil, now > deadline ? false : nil)
        }
        (responseDeadline, responseTime, responseMet) = measure(responded ?? resolved, target: settings.response[priority])
        (resolutionDeadline, resolutionTime, resolutionMet) = measure(resolved, target: settings.resolution[priority])
    }

    /// Every ticket opened in `[from, to]` (local day numbers; nil: no bound), measured.
    public static func all(_ store: CRMStore, settings: ServiceLevelSettings, from: Int? = nil, to: Int? = nil) throws -> [TicketServiceLevel] {
        var sql = "SELECT id, priority, assignee, opened, responded, resolved FROM ticket"
        var conditions: [String] = []
        var arguments: [Value] = []
        if let from {
            conditions.append("opened >= ?")
            arguments.append(.text(DateCodec.utcText(epochSeconds: DateCodec.localMidnight(days: from))))
        }
        if let to {
            conditions.append("opened < ?")
            arguments.append(.text(DateCodec.utcText(epochSeconds: DateCodec.localMidnight(days: to + 1))))
        }
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        let now = store.clock.now()
        return try store.select(sql: sql + " ORDER BY id", arguments: arguments).rows.compactMap { r in
            guard case .integer(let id) = r[0], let opened = instant(r[3]) else { return nil }
            let assignee: Int64? = { if case .integer(let a) = r[2] { return a } else { return nil } }()
            return TicketServiceLevel(ticket: id, priority: r[1].displayText, assignee: assignee, opened: opened,
                                      responded: instant(r[4]), resolved: instant(r[5]), settings: settings, now: now)
        }
    }

    /// Epoch seconds of a stored datetime value, nil for null.
    public static func instant(_ v: Value) -> Int? {
        switch v {
        case .datetime(let s), .text(let s): return DateCodec.epochSeconds(utc: s)
        default: return nil
        }
    }
}
