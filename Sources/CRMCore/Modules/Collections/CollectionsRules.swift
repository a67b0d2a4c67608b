/// The rules of contracts and collections.
///
/// - A contract comes from a won deal; its customer is the deal's (filled in when not
///   given), its owner the deal's owner when not given.
/// - A contract is signed only when its instalments sum exactly to its value; once signed,
///   its value and its plan stay equal (a change to either that breaks the sum is refused).
/// - A contract is completed only once it is fully collected.
/// - A receipt is taken only on a signed contract and never for more than is still owed
///   (on the instalment it names, and on the contract).
public enum CollectionsRules {
    public static let all: [CoreRule] = [ContractFromWonDeal(), SignedPlanSums(), InstalmentKeepsThePlan(), ReceiptWithinOwed()]

    static func integer(_ v: Value?) -> Int64? { if case .integer(let i)? = v { return i } else { return nil } }
    static func text(_ v: Value?) -> String? { if case .text(let s)? = v { return s } else { return nil } }

    /// Statuses whose plan must sum to the value.
    static let planned: Set<String> = ["signed", "completed"]

    struct ContractFromWonDeal: CoreRule {
        var name: String { "contract from a won deal" }
        var entity: String { "sales_contract" }
        var actions: Set<WriteAction> { [.create, .update] }

        func before(_ event: inout WriteEvent, _ store: CRMStore) throws {
            guard var new = event.new, let dealID = integer(new["deal"]) else { return }
            if event.action == .update, integer(event.old?["deal"]) == dealID, new["customer"] == event.old?["customer"] { return }
            guard let deal = try store.record("deal", id: dealID) else { return }  // the reference check names it
            guard deal["stage"] == .text("won") else {
                throw CoreRuleRefusal("sales_contract", field: "deal",
                                      "deal \(dealID) is \(deal["stage"].displayText), not won; a contract comes from a won deal")
            }
            if new["customer"] == nil || new["customer"] == .null { new["customer"] = deal["customer"] }
            guard new["customer"] == deal["customer"] else {
                throw CoreRuleRefusal("sales_contract", field: "customer",
                                      "customer \(new["customer"]!.displayText) is not the customer of deal \(dealID) (\(deal["customer"].displayText))")
            }
            if event.action == .create, new["owner"] == nil || new["owner"] == .null, !deal["owner"].isNull { new["owner"] = deal["owner"] }
            event.new = new
        }
    }

    struct SignedPlanSums: CoreRule {
        var name: String { "payment plan sums to the value" }
        var entity: String { "sales_contract" }
        var actions: Set<WriteAction> { [.create, .update] }

        func before(_ event: inout WriteEvent, _ store: CRMStore) throws {
            guard let new = event.new, let status = text(new["status"]), planned.contains(status) else { return }
            let value = Money.cents(new["value"] ?? .null)
            if event.action == .update, text(event.old?["status"]) == status, event.old?["value"] == new["value"] { return }
            let plan = try event.id.map { try PaymentPlan.load(store, contract: $0) }
            let sum = plan?.planned ?? 0
            guard sum == value else {
                let field = event.action == .update && text(event.old?["status"]).map(planned.contains) == true ? "value" : "status"
                throw CoreRuleRefusal("sales_contract", field: field,
                                      "the payment plan sums to \(Money.text(sum)), the value is \(Money.text(value)) "
                                      + "(difference \(Money.text(value - sum))); make the instalments sum to the value first")
            }
            if status == "completed", text(event.old?["status"]) != "completed", (plan?.received ?? 0) < value {
                throw CoreRuleRefusal("sales_contract", field: "status",
                                      "\(Money.text(value - (plan?.received ?? 0))) is still owed; a contract is completed when it is fully collected")
            }
            if event.action == .update, let received = plan?.received, received > value {
                throw CoreRuleRefusal("sales_contract", field: "value",
                                      "\(Money.text(received)) has already been received, more than the value \(Money.text(value))")
            }
        }
    }

    /// A signed contract's instalments always sum to its value: moving a due date is fine,
    /// changing an amount, adding or deleting an instalment is refused (cancel the contract,
    /// or set it back to draft, to change the plan).
    struct InstalmentKeepsThePlan: CoreRule {
        var name: String { "instalments of a signed contract" }
        var entity: String { "instalment" }

        func before(_ event: inout WriteEvent, _ store: CRMStore) throws {
            let sameContract = event.action == .update && event.old?["contract"] == event.new?["contract"]
            if !(sameContract && event.old?["amount"] == event.new?["amount"]) {
                let contracts = Set([integer(event.new?["contract"]), integer(event.old?["contract"])].compactMap { $0 })
                for id in contracts.sorted() {
                    guard let contract = try store.record("sales_contract", id: id) else { continue }
                    let status = contract["status"].displayText
                    guard !planned.contains(status) else {
                        throw CoreRuleRefusal("instalment", field: event.action == .update && sameContract ? "amount" : "contract",
                                              "contract \(id) is \(status): its plan sums to its value and is not changed "
                                              + "(set the contract back to draft to change the plan)")
                    }
                }
            }
            if event.action == .update, !sameContract, let id = event.id {
                let applied = try store.select(sql: "SELECT count(*) FROM receipt WHERE instalment = ?", arguments: [.integer(id)])
                if (integer(applied.rows.first?.first) ?? 0) > 0 {
                    throw CoreRuleRefusal("instalment", field: "contract", "instalment \(id) has receipts applied to it")
                }
            }
        }
    }

    struct ReceiptWithinOwed: CoreRule {
        var name: String { "receipt within what is owed" }
        var entity: String { "receipt" }
        var actions: Set<WriteAction> { [.create, .update] }

        func before(_ event: inout WriteEvent, _ store: CRMStore) throws {
            guard let new = event.new, let contractID = integer(new["contract"]),
                  let contract = try store.record("sales_contract", id: contractID) else { return }
            let status = contract["status"].displayText
            guard status == "signed" else {
                throw CoreRuleRefusal("receipt", field: "contract",
                                      "contract \(contractID) is \(status); receipts are taken on signed contracts")
            }
            let amount = Money.cents(new["amount"] ?? .null)
            let plan = try PaymentPlan.load(store, contract: contractID, excluding: event.id)
            let value = Money.cents(contract["value"])
            if let instalmentID = integer(new["instalment"]) {
                guard let line = plan.lines.first(where: { $0.id == instalmentID }) else {
                    throw CoreRuleRefusal("receipt", field: "instalment",
                                          "instalment \(instalmentID) is not one of contract \(contractID)'s")
                }
                if amount > line.owed {
                    throw CoreRuleRefusal("receipt", field: "amount",
                                          "\(Money.text(amount)) is more than instalment \(instalmentID) still owes (\(Money.text(line.owed)))")
                }
            }
            let owed = value - plan.received
            if amount > owed {
                throw CoreRuleRefusal("receipt", field: "amount",
                                      "\(Money.text(amount)) is more than contract \(contractID) still owes (\(Money.text(owed)))")
            }
        }
    }
}
