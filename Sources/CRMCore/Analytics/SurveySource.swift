/// Where satisfaction answers are: an entity with a perception score (how the service was
/// experienced), an expectation score (what the customer expected) or none (then the
/// `analytics.satisfaction_expectation` setting stands for it), a touchpoint and a day.
/// Core tickets are one (satisfaction per kind); plugins declare theirs with
/// `crm.survey_source{…}`.
public struct SurveySource: Sendable, Equatable {
    public var entity: String
    /// A field naming the touchpoint (`kind`, `stage`), or nil for one touchpoint named after the entity.
    public var touchpoint: String?
    public var perception: String
    public var expectation: String?
    public var at: String
    public var owner: String
    public var location: String?

    public init(entity: String, touchpoint: String?, perception: String, expectation: String?, at: String,
                owner: String, location: String? = nil) {
        self.entity = entity
        self.touchpoint = touchpoint
        self.perception = perception
        self.expectation = expectation
        self.at = at
        self.owner = owner
        self.location = location
    }

    /// Core tickets: satisfaction (1–5) per ticket kind, by the day opened.
    public static let tickets = SurveySource(entity: "ticket", touchpoint: "kind", perception: "satisfaction",
                                             expectation: nil, at: "opened", owner: "core")

    /// Checks the fields: scores are numbers, the day a date or datetime.
    public func check(_ e: EntityDefinition?) throws {
        guard let e else { throw ValueSourceError("crm.survey_source: no entity named '\(entity)'") }
        func field(_ key: String, _ name: String, numeric: Bool) throws {
            guard let f = e.field(name) else {
                let hint = NameSuggestion.hint(for: name, in: e.fields.map(\.name))
                throw ValueSourceError("crm.survey_source: \(key) = \"\(name)\": entity \(entity) has no field '\(name)'\(hint)")
            }
            switch (numeric, f.type) {
            case (true, .integer), (true, .decimal), (false, .date), (false, .datetime): break
            case (false, .text), (false, .enumeration) where key == "touchpoint": break
            default:
                throw ValueSourceError("crm.survey_source: \(key) = \"\(name)\": \(entity).\(name) is \(f.type.name), not "
                                       + (numeric ? "an integer or decimal score" : key == "touchpoint" ? "text or a choice" : "a date or datetime"))
            }
        }
        try field("perception", perception, numeric: true)
        if let expectation { try field("expectation", expectation, numeric: true) }
        if let touchpoint { try field("touchpoint", touchpoint, numeric: false) }
        try field("at", at, numeric: false)
    }
}

/// The satisfaction gap (seed 001): perceived performance against expectation, per
/// touchpoint and per month; a negative gap means the service fell short of what was expected.
public struct SatisfactionAnalysis: Sendable {
    public struct Cell: Sendable, Equatable {
        public var source: String
        public var touchpoint: String
        public var month: String
        public var answers: Int
        public var perception: Double
        public var expectation: Double
    }

    /// Sums per source, touchpoint and month.
    public var cells: [Cell]

    /// Runs over the answers in the period (scores as stored: integers, or decimals at their scale).
    public static func run(_ store: ModuleStore, sources: [SurveySource], period: Purchases.Period,
                           settings: AnalyticsSettings) throws -> SatisfactionAnalysis {
        var cells: [Cell] = []
        for s in sources {
            guard let e = store.schema.entity(named: s.entity) else { continue }
            do { try s.check(e) } catch let err as ValueSourceError {
                throw ValueSourceError((s.location.map { "\($0): " } ?? "") + err.message)
            }
            let pScale = e.field(s.perception)?.type.scale ?? 0
            let eScale = s.expectation.flatMap { e.field($0)?.type.scale } ?? 0
            let day = store.textPrefix(quoted(s.at), 10)
            var conditions = ["\(quoted(s.perception)) IS NOT NULL", "\(quoted(s.at)) IS NOT NULL"]
            var arguments: [Value] = []
            if let x = s.expectation { conditions.append("\(quoted(x)) IS NOT NULL") }
            if let f = period.from { conditions.append("\(day) >= ?"); arguments.append(.text(DateCodec.dateText(days: f))) }
            if let t = period.to { conditions.append("\(day) <= ?"); arguments.append(.text(DateCodec.dateText(days: t))) }
            let touch = s.touchpoint.map(quoted) ?? "'\(s.entity)'"
            let expectation = s.expectation.map { "sum(\(quoted($0)))" } ?? "0"
            let sql = "SELECT \(store.textPrefix(quoted(s.at), 7)), \(touch), count(*), sum(\(quoted(s.perception))), \(expectation) "
                + "FROM \(quoted(s.entity)) WHERE \(conditions.joined(separator: " AND ")) GROUP BY 1, 2 ORDER BY 1, 2"
            try store.stream(sql: sql, arguments: arguments) { h in
                let n = Int(h.int(2))
                let p = Fixed.double(h.int(3), scale: pScale)
                let x = s.expectation == nil ? settings.satisfactionExpectation * Double(n) : Fixed.double(h.int(4), scale: eScale)
                cells.append(Cell(source: s.entity, touchpoint: h.text(1) ?? "(none)", month: h.text(0) ?? "",
                                  answers: n, perception: p, expectation: x))
            }
        }
        return SatisfactionAnalysis(cells: cells)
    }
}
