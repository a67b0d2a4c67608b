import CRMCore

/// `health`: whether the team uses the CRM (seed 004), as a core report.
enum HealthVerb {
    static let verb = AnalysisVerb(
        name: "health",
        summary: "the CRM's own health: completeness per owner, activity per user per week, untouched customers, duplicates",
        details: """
            Data completeness per owner (customers without phone, without stage, without any
            interaction; customers without an owner are the `(no owner)` row), interactions
            logged per user per week (weeks from Monday, the last health.weeks weeks),
            customers untouched for health.untouched_days days (no interaction since; never
            counts) per owner and the longest untouched, and the likely duplicates by reason
            (see dupes). Every output format; `to FILE` like report.

            Example:
              health
              health untouched_days=30 weeks=8
              report health to health.html
            """,
        parameters: [
            AnalysisParameter(name: "untouched_days", type: .integer, defaultText: nil, label: "untouched after this many days (default: setting health.untouched_days, 90)"),
            AnalysisParameter(name: "weeks", type: .integer, defaultText: nil, label: "weeks of activity (default: setting health.weeks, 4)"),
            AnalysisParameter(name: "limit", type: .integer, defaultText: "20", label: "how many of the longest untouched to list"),
        ],
        body: run)

    static func run(_ c: AnalysisContext) throws -> Output {
        let r = try HealthReport.run(c.store, untouchedDays: c.integer("untouched_days"), weeks: c.integer("weeks"),
                                     limit: c.integer("limit") ?? 20)
        return .sections([.message("CRM health on \(DateCodec.dateText(days: c.today)): \(r.customers) customers"),
                          .table(r.completeness), .table(r.activity), .table(r.untouched), .table(r.untouchedOldest), .table(r.duplicates)])
    }
}
