/// What each campaign (市场活动) brought: reach, responses, deals and the return on its cost.
public struct CampaignResults: Sendable {
    public struct Line: Sendable {
        public var campaign: Int64?
        public var name: String
        public var channel: String
        /// Customers in its segment now (0 without one).
        public var reach: Int
        /// Interactions linked to it.
        public var responses: Int
        /// Distinct customers who responded.
        public var responders: Int
        public var deals: Int
        public var won: Int
        public var wonValue: Fixed
        public var cost: Fixed

        /// Responders per customer reached, in % to 0.1; nil when it reached nobody.
        public var responseRate: Fixed? {
            reach > 0 ? Fixed.quotient(Int64(responders) * 100, numeratorScale: 0, dividedBy: Int64(reach), scale: 1) : nil
        }

        /// Won value / cost, to 0.01; nil when it cost nothing.
        public var returnOnCost: Fixed? {
            cost.units > 0 ? Fixed.quotient(wonValue.units, numeratorScale: 0, dividedBy: cost.units, scale: 2) : nil
        }
    }

    public var campaigns: [Line]

    /// The campaigns summed per channel, in the order channels first appear.
    public var byChannel: [Line] {
        var out: [Line] = []
        for c in campaigns {
            if let i = out.firstIndex(where: { $0.channel == c.channel }) {
                out[i].reach += c.reach
                out[i].responses += c.responses
                out[i].responders += c.responders
                out[i].deals += c.deals
                out[i].won += c.won
                out[i].wonValue = Fixed(units: out[i].wonValue.units + c.wonValue.units, scale: 2)
                out[i].cost = Fixed(units: out[i].cost.units + c.cost.units, scale: 2)
            } else {
                var line = c
                line.campaign = nil
                line.name = c.channel
                out.append(line)
            }
        }
        return out
    }

    /// Every campaign, or those that ran at some point in `from…to` (days, inclusive).
    public static func run(_ store: CRMStore, from: Int? = nil, to: Int? = nil) throws -> CampaignResults {
        var lines: [Line] = []
        let rows = try store.select(sql: "SELECT id, name, channel, segment, cost, starts, ends FROM campaign ORDER BY id", arguments: []).rows
        for row in rows {
            guard let id = row[0].idValue else { continue }
            func day(_ v: Value) -> Int? { v.isNull ? nil : DateCodec.days(ofDate: String(v.displayText.prefix(10))) }
            if let from, let ends = day(row[6]), ends < from { continue }
            if let to, let starts = day(row[5]), starts > to { continue }
            var reach = 0
            if let segment = row[3].idValue, let name = try store.record("segment", id: segment)?["name"].textValue {
                reach = try store.count("customer", where: .segment(name, position: 0))
            }
            let arg: [Value] = [.integer(id)]
            let responses = try store.salesInteger("SELECT count(*) FROM interaction WHERE campaign = ?", arg) ?? 0
            let responders = try store.salesInteger("SELECT count(DISTINCT customer) FROM interaction WHERE campaign = ?", arg) ?? 0
            let deals = try store.salesInteger("SELECT count(*) FROM deal WHERE campaign = ?", arg) ?? 0
            let won = try store.salesInteger("SELECT count(*) FROM deal WHERE campaign = ? AND stage = 'won'", arg) ?? 0
            let value = try store.salesSum("SELECT amount FROM deal WHERE campaign = ? AND stage = 'won'", arg)
            lines.append(Line(campaign: id, name: row[1].displayText, channel: row[2].displayText, reach: reach,
                              responses: Int(responses), responders: Int(responders), deals: Int(deals), won: Int(won),
                              wonValue: value, cost: row[4].fixedValue?.rounded(toScale: 2) ?? Fixed(units: 0, scale: 2)))
        }
        return CampaignResults(campaigns: lines)
    }
}
