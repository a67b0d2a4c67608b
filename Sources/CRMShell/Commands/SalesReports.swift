import CRMCore

/// The sales reports: `campaigns` (reach, responses, won value and return by campaign and
/// channel) and `credit` (won value credited to each member of the deal teams).
enum SalesReports {
    static var all: [AnalysisVerb] { [campaigns, credit] }

    static func money(_ f: Fixed?) -> Value { f.map(Value.decimal) ?? .null }

    static let campaigns = AnalysisVerb(
        name: "campaigns",
        summary: "campaign results: reach, responses, response rate, deals won and return on cost, by campaign and channel",
        details: """
            For each campaign: reach (customers in its segment now), responses (interactions
            linked to it with campaign=…), responders (distinct customers), the response
            rate (responders / reach), deals that came from it (deal.campaign), those won,
            their won value, the cost, and the return on cost (won value / cost; empty when
            it cost nothing). Then the same summed by channel. from=/to= keep the campaigns
            that ran at some point in the period.

            Example:
              campaigns
              report campaigns from=2026-01-01 format=csv
            """,
        parameters: [
            AnalysisParameter(name: "from", type: .date, defaultText: nil, label: "campaigns that end on or after this day"),
            AnalysisParameter(name: "to", type: .date, defaultText: nil, label: "campaigns that start on or before this day"),
        ],
        body: { c in
            let results = try CampaignResults.run(c.store, from: c.day("from"), to: c.day("to"))
            guard !results.campaigns.isEmpty else { return .message("campaigns: no campaigns yet (add campaign name=… channel=…)") }
            func table(_ title: String, _ first: String, _ lines: [CampaignResults.Line]) -> Output {
                let perChannel = first == "channel"
                return .table(ResultTable(title: title, columns: (perChannel ? [Column(first)] : [Column(first), Column("channel")]) + [
                    Column("reach", numeric: true), Column("responses", numeric: true),
                    Column("responders", numeric: true), Column("response_rate", label: "response %", numeric: true),
                    Column("deals", numeric: true), Column("won", numeric: true), Column("won_value", numeric: true),
                    Column("cost", numeric: true), Column("return", label: "return (won/cost)", numeric: true),
                ], rows: lines.map { l in
                    (perChannel ? [.text(l.channel)] : [.text(l.name), .text(l.channel)]) + [.integer(Int64(l.reach)), .integer(Int64(l.responses)),
                     .integer(Int64(l.responders)), money(l.responseRate), .integer(Int64(l.deals)), .integer(Int64(l.won)),
                     .decimal(l.wonValue), .decimal(l.cost), money(l.returnOnCost)]
                }))
            }
            return .sections([table("Campaigns", "campaign", results.campaigns), table("By channel", "channel", results.byChannel)])
        })

    static let credit = AnalysisVerb(
        name: "credit",
        summary: "won value credited to each salesperson by the deal teams' shares",
        details: """
            Each won deal's amount is split by its team's shares (deal_member.share, which
            sum to 100%), to the cent: each part is rounded down and the cents left over go
            to the largest remainders (ties to the member added first), so the parts sum to
            the deal exactly. A won deal without a team credits its owner. from=/to= keep
            the deals closed in the period (deal.closed).

            Example:
              credit
              credit from=2026-01-01 to=2026-03-31
            """,
        parameters: [
            AnalysisParameter(name: "from", type: .date, defaultText: nil, label: "first closing day"),
            AnalysisParameter(name: "to", type: .date, defaultText: nil, label: "last closing day"),
        ],
        body: { c in
            let rows = try DealCredit.wonByUser(c.store, from: c.day("from"), to: c.day("to"))
            guard !rows.isEmpty else { return .message("credit: no won deals in the period") }
            let titles = ReferenceTitles(store: c.store)
            var total: Int64 = 0
            var out: [[Value]] = []
            for r in rows {
                total += r.credit.units
                out.append([r.user.map { .text((try? titles.text(target: "user", id: $0)) ?? "#\($0)") } ?? .text("(no owner)"),
                            .integer(Int64(r.deals)), .decimal(r.credit)])
            }
            out.append([.text("total"), .null, .decimal(Fixed(units: total, scale: 2))])
            return .table(ResultTable(title: "Won value credited by deal team share",
                                      columns: [Column("user"), Column("deals", numeric: true), Column("credited", numeric: true)], rows: out))
        })
}
