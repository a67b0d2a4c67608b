/// Who gets credit for a deal's amount: its team by their shares, or its owner alone
/// when it has no team. Parts are exact cents that sum to the amount (`SalesMoney.split`).
public struct DealCredit: Sendable {
    public struct Part: Sendable {
        /// The deal_member record; nil when the owner is credited for want of a team.
        public var member: Int64?
        public var user: Int64?
        public var role: String
        public var share: Fixed
        public var credit: Fixed
    }

    public var deal: Int64
    public var amount: Fixed
    public var parts: [Part]

    /// The credit of one deal, members in the order they were added.
    public static func of(deal: Int64, _ store: CRMStore) throws -> DealCredit {
        guard let record = try store.record("deal", id: deal) else { throw StoreError.notFound(entity: "deal", id: deal) }
        let amount = record["amount"].fixedValue?.rounded(toScale: 2) ?? Fixed(units: 0, scale: 2)
        // "user" quoted: a bare user is CURRENT_USER on PostgreSQL.
        let rows = try store.select(sql: "SELECT id, \"user\", role, share FROM deal_member WHERE deal = ? ORDER BY id",
                                    arguments: [.integer(deal)]).rows
        if rows.isEmpty {
            return DealCredit(deal: deal, amount: amount, parts: [
                Part(member: nil, user: record["owner"].idValue, role: "owner", share: DealTeamRules.hundred, credit: amount),
            ])
        }
        let shares = rows.map { $0[3].fixedValue ?? Fixed(units: 0, scale: 2) }
        let credits = SalesMoney.split(amount, shares: shares)
        return DealCredit(deal: deal, amount: amount, parts: zip(rows, credits).enumerated().map { i, pair in
            Part(member: pair.0[0].idValue, user: pair.0[1].idValue, role: pair.0[2].textValue ?? "", share: shares[i], credit: pair.1)
        })
    }

    /// Credited won value per user over the won deals closed in `from…to` (days, inclusive;
    /// nil ends are open; a won deal without a closing date counts only when both are nil).
    public static func wonByUser(_ store: CRMStore, from: Int?, to: Int?) throws -> [(user: Int64?, deals: Int, credit: Fixed)] {
        var byUser: [Int64?: (deals: Int, units: Int64)] = [:]
        let won = try store.select(sql: "SELECT id, closed FROM deal WHERE stage = 'won' ORDER BY id", arguments: []).rows
        for row in won {
            guard let id = row[0].idValue else { continue }
            if from != nil || to != nil {
                guard let day = DateCodec.days(ofDate: String(row[1].displayText.prefix(10))) else { continue }
                if let from, day < from { continue }
                if let to, day > to { continue }
            }
            for part in try of(deal: id, store).parts {
                var entry = byUser[part.user] ?? (0, 0)
                entry.deals += 1
                entry.units += part.credit.units
                byUser[part.user] = entry
            }
        }
        return byUser.map { (user: $0.key, deals: $0.value.deals, credit: Fixed(units: $0.value.units, scale: 2)) }
            .sorted { $0.credit != $1.credit ? $0.credit > $1.credit : ($0.user ?? 0) < ($1.user ?? 0) }
    }
}
