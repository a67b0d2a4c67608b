/// The deal team (项目团队): members with a role and a share of credit. Shares never sum
/// past 100%; a won deal's team is empty (the owner takes the credit) or sums to exactly
/// 100%, so a deal cannot be won with a team that does not, and a won deal's team cannot
/// be changed into one that does not (move the deal out of won to rework its team).
public enum DealTeamRules {
    public static let all: [CoreRule] = [DealMemberRule(), DealWonTeamRule(), DealCustomerRule()]

    static let hundred = Fixed(units: 10_000, scale: 2)

    /// The shares of a deal's members, except one.
    static func shares(_ store: CRMStore, deal: Int64, except id: Int64?) throws -> Fixed {
        // Plain `<>` rather than SQLite's `IS NOT ?`, so PostgreSQL runs the same text.
        guard let id else { return try store.salesSum("SELECT share FROM deal_member WHERE deal = ?", [.integer(deal)]) }
        return try store.salesSum("SELECT share FROM deal_member WHERE deal = ? AND id <> ?", [.integer(deal), .integer(id)])
    }

    static func members(_ store: CRMStore, deal: Int64) throws -> Int64 {
        try store.salesInteger("SELECT count(*) FROM deal_member WHERE deal = ?", [.integer(deal)]) ?? 0
    }
}

struct DealMemberRule: CoreRule {
    var name: String { "deal team shares" }
    var entity: String { "deal_member" }

    func before(_ event: inout WriteEvent, _ store: CRMStore) throws {
        let zero = Fixed(units: 0, scale: 2)
        if var new = event.new, let deal = new["deal"]?.idValue {
            let share = new["share"]?.fixedValue?.rounded(toScale: 2) ?? zero
            guard share > zero, share <= DealTeamRules.hundred else {
                throw CoreRuleRefusal("deal_member", field: "share", "\(share.percentText) is not a share: it is over 0% and at most 100%")
            }
            let others = try DealTeamRules.shares(store, deal: deal, except: event.id)
            let sum = Fixed(units: others.units + share.units, scale: 2)
            if sum > DealTeamRules.hundred {
                throw CoreRuleRefusal("deal_member", field: "share",
                                      "the team of deal #\(deal) would have \(sum.percentText): shares sum to 100% (the others hold \(others.percentText))")
            }
            let record = try store.record("deal", id: deal)
            if record?["stage"] == .text("won"), sum != DealTeamRules.hundred {
                throw CoreRuleRefusal("deal_member", field: "share",
                                      "deal #\(deal) is won: its team's shares must sum to 100% (this would make \(sum.percentText)); move the deal out of won to rework the team")
            }
            new["customer"] = record?["customer"] ?? .null
            event.new = new
        }
        // Leaving a won deal's team (or moving to another deal) must leave 100% or nobody.
        if let old = event.old, let deal = old["deal"]?.idValue, event.new?["deal"] != old["deal"],
           try store.record("deal", id: deal)?["stage"] == .text("won") {
            let left = try DealTeamRules.shares(store, deal: deal, except: event.id)
            if left != zero {
                throw CoreRuleRefusal("deal_member", field: "deal",
                                      "deal #\(deal) is won: its team's shares must sum to 100% (the rest would make \(left.percentText)); move the deal out of won to rework the team")
            }
        }
    }
}

/// A deal becomes won only with a team summing to 100% (or no team).
struct DealWonTeamRule: CoreRule {
    var name: String { "won deal team" }
    var entity: String { "deal" }
    var actions: Set<WriteAction> { [.create, .update] }

    func before(_ event: inout WriteEvent, _ store: CRMStore) throws {
        guard let id = event.id, event.new?["stage"] == .text("won"), event.old?["stage"] != .text("won") else { return }
        guard try DealTeamRules.members(store, deal: id) > 0 else { return }
        let sum = try DealTeamRules.shares(store, deal: id, except: nil)
        if sum != DealTeamRules.hundred {
            throw CoreRuleRefusal("deal", field: "stage",
                                  "deal #\(id) cannot be won: its team's shares sum to \(sum.percentText), not 100% (see: team \(id))")
        }
    }
}

/// A deal moved to another customer takes its team and quotes along (their `customer` is
/// the deal's, which ownership reads).
struct DealCustomerRule: CoreRule {
    var name: String { "deal customer" }
    var entity: String { "deal" }
    var actions: Set<WriteAction> { [.update] }
    var hasAfter: Bool { true }

    func after(_ event: WriteEvent, _ store: CRMStore) throws {
        guard let id = event.id, let customer = event.new?["customer"], customer != event.old?["customer"] else { return }
        for entity in ["deal_member", "quote"] {
            for row in try store.select(sql: "SELECT id FROM \(entity) WHERE deal = ? ORDER BY id", arguments: [.integer(id)]).rows {
                if let r = row[0].idValue { _ = try store.update(entity, id: r, values: ["customer": customer]) }
            }
        }
    }
}
