/// An iCalendar file (RFC 5545) of to-dos and all-day events, as calendar and to-do
/// apps import them.
///
///     var calendar = ICalendar(stamp: now)
///     calendar.todos.append(.init(uid: "crm-task-3@crm", summary: "回访王芳", due: "2026-11-25", status: .open))
///     try PrivateFile.replace("tasks.ics", with: Array(calendar.text.utf8))
public struct ICalendar: Equatable, Sendable {
    /// `DTSTAMP` of every component: when the file was made (epoch seconds).
    public var stamp: Int
    public var todos: [Todo] = []
    public var events: [Event] = []

    public init(stamp: Int) { self.stamp = stamp }

    /// A `VTODO`: a task with an optional due date.
    public struct Todo: Equatable, Sendable {
        /// The same for the same task every time, so a calendar updates it instead of adding a copy.
        public var uid: String
        public var summary: String
        /// `DUE` as a date (`2026-11-25`), or nil.
        public var due: String?
        public var status: Status
        public var description: String?
        /// `CREATED` and `LAST-MODIFIED`, epoch seconds.
        public var created: Int?
        public var modified: Int?

        public enum Status: String, Sendable {
            case open = "NEEDS-ACTION", done = "COMPLETED", cancelled = "CANCELLED"
        }

        public init(uid: String, summary: String, due: String? = nil, status: Status, description: String? = nil,
                    created: Int? = nil, modified: Int? = nil) {
            self.uid = uid
            self.summary = summary
            self.due = due
            self.status = status
            self.description = description
            self.created = created
            self.modified = modified
        }
    }

    /// A `VEVENT` lasting one whole day (a deal's expected close).
    public struct Event: Equatable, Sendable {
        public var uid: String
        public var summary: String
        /// The day, `2026-11-30`.
        public var date: String
        public var description: String?
        public var modified: Int?

        public init(uid: String, summary: String, date: String, description: String? = nil, modified: Int? = nil) {
            self.uid = uid
            self.summary = summary
            self.date = date
            self.description = description
            self.modified = modified
        }
    }

    /// The whole file: CRLF line ends, text escaped, lines folded at 75 octets.
    public var text: String {
        var out = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//CRM Shell//crm//EN\r\nCALSCALE:GREGORIAN\r\n"
        let dtstamp = Self.utc(stamp)
        for t in todos {
            out += "BEGIN:VTODO\r\n"
            out += ContentLine.line("UID", value: ContentLine.escape(t.uid))
            out += "DTSTAMP:\(dtstamp)\r\n"
            if let created = t.created { out += "CREATED:\(Self.utc(created))\r\n" }
            if let modified = t.modified { out += "LAST-MODIFIED:\(Self.utc(modified))\r\n" }
            out += ContentLine.line("SUMMARY", value: ContentLine.escape(t.summary))
            if let due = t.due, let day = Self.basicDate(due) { out += "DUE;VALUE=DATE:\(day)\r\n" }
            out += "STATUS:\(t.status.rawValue)\r\n"
            if let d = t.description, !d.isEmpty { out += ContentLine.line("DESCRIPTION", value: ContentLine.escape(d)) }
            out += "END:VTODO\r\n"
        }
        for e in events {
            guard let start = Self.basicDate(e.date), let days = DateCodec.days(ofDate: e.date),
                  let end = Self.basicDate(DateCodec.dateText(days: days + 1)) else { continue }
            out += "BEGIN:VEVENT\r\n"
            out += ContentLine.line("UID", value: ContentLine.escape(e.uid))
            out += "DTSTAMP:\(dtstamp)\r\n"
            if let modified = e.modified { out += "LAST-MODIFIED:\(Self.utc(modified))\r\n" }
            out += "DTSTART;VALUE=DATE:\(start)\r\nDTEND;VALUE=DATE:\(end)\r\n"
            out += ContentLine.line("SUMMARY", value: ContentLine.escape(e.summary))
            if let d = e.description, !d.isEmpty { out += ContentLine.line("DESCRIPTION", value: ContentLine.escape(d)) }
            out += "TRANSP:TRANSPARENT\r\nEND:VEVENT\r\n"
        }
        return out + "END:VCALENDAR\r\n"
    }

    /// `20261122T100000Z`.
    static func utc(_ t: Int) -> String {
        let iso = DateCodec.utcText(epochSeconds: t)   // 2026-11-22T10:00:00Z
        return iso.filter { $0 != "-" && $0 != ":" }
    }

    /// `2026-11-25` → `20261125`, nil for anything else.
    static func basicDate(_ date: String) -> String? {
        guard DateCodec.days(ofDate: date) != nil else { return nil }
        return date.filter { $0 != "-" }
    }
}
