/// Demo data of contracts and collections, purchasing and service levels, added after the
/// core demo: contracts from won deals with payment plans spread over the ageing buckets
/// and some receipts, two organisations made suppliers with purchase orders, the first response of the
/// demo tickets (with two urgent ones about to breach).
public enum CollectionsDemo {
    public static func fill(_ store: CRMStore, seed: UInt64 = 2026) throws {
        var rng = SplitMix64(seed: seed ^ 0xC011EC7)
        let today = store.clock.today
        let now = store.clock.now()
        func day(_ offset: Int) -> Value { .date(DateCodec.dateText(days: today + offset)) }
        let won = try store.select(sql: "SELECT id, amount, closed FROM deal WHERE stage = 'won' AND amount > 0 ORDER BY id LIMIT 10",
                                   arguments: []).rows
        var contracts: [(id: Int64, deal: Int64, value: Int64)] = []
        for (k, r) in won.enumerated() {
            guard case .integer(let deal) = r[0] else { continue }
            let value = Money.cents(r[1])
            let contract = try store.create("sales_contract", values: [
                "deal": .integer(deal), "title": .text("销售合同 HT-2026-\(String(101 + k))"), "value": Money.value(value),
                "signed": day(-150 + k * 12)])
            // Three instalments 30% / 30% / the rest, 45 days apart: the first ones are
            // overdue by different spans, so every ageing bucket has something.
            let first = value * 3 / 10, second = value * 3 / 10
            var instalments: [Int64] = []
            for (n, amount) in [first, second, value - first - second].enumerated() {
                instalments.append(try store.create("instalment", values: [
                    "contract": .integer(contract), "due": day(-140 + k * 12 + n * 45), "amount": Money.value(amount)]))
            }
            try store.update("sales_contract", id: contract, values: ["status": .text("signed")])
            // Most customers paid the first instalment; some the second; one paid half.
            if k % 4 != 3 {
                _ = try store.create("receipt", values: ["contract": .integer(contract), "instalment": .integer(instalments[0]),
                                                         "amount": Money.value(first), "received": day(-135 + k * 12),
                                                         "reference": .text("BK\(String(880_100 + k * 7))")])
            }
            if k % 3 == 0 {
                _ = try store.create("receipt", values: ["contract": .integer(contract), "amount": Money.value(second / 2),
                                                         "received": day(-80 + k * 12), "method": .text("cheque")])
            }
            contracts.append((contract, deal, value))
        }

        // Two of the demo's organisations without deals are suppliers (the demo keeps the
        // number of customers it was asked for).
        let suppliers = try store.select(sql: """
            SELECT c.id FROM customer c WHERE c.kind = 'organisation' AND NOT EXISTS (SELECT 1 FROM deal d WHERE d.customer = c.id)
            ORDER BY c.id LIMIT 2
            """, arguments: []).rows.compactMap { r -> Int64? in if case .integer(let id) = r[0] { return id } else { return nil } }
        for id in suppliers { try store.update("customer", id: id, values: ["kind": .text("supplier")]) }
        for (k, c) in contracts.prefix(suppliers.isEmpty ? 0 : 4).enumerated() {
            let order = try store.create("purchase_order", values: [
                "supplier": .integer(suppliers[k % suppliers.count]), "contract": .integer(c.id), "title": .text("配套设备采购 PO-\(String(501 + k))")])
            for (item, share) in [("设备", 35), ("安装服务", 10)] {
                let price = c.value * Int64(share) / 100 / 2
                _ = try store.create("purchase_line", values: [
                    "purchase_order": .integer(order), "item": .text(item), "quantity": .decimal(Fixed(units: 2000, scale: 3)),
                    "unit_price": Money.value(price)])
            }
            let status = ["ordered", "received", "paid", "draft"][k]
            if status != "draft" { try store.update("purchase_order", id: order, values: ["status": .text(status)]) }
        }

        // First responses of the demo tickets: minutes to a day and a half after opening.
        let tickets = try store.select(sql: "SELECT id, opened, resolved, status FROM ticket ORDER BY id", arguments: []).rows
        for r in tickets {
            guard case .integer(let id) = r[0], let opened = TicketServiceLevel.instant(r[1]), r[3].displayText != "open" else { continue }
            var at = opened + rng.int(10, 36 * 60) * 60
            at = min(at, now)
            var values: [String: Value] = ["responded": .datetime(DateCodec.utcText(epochSeconds: at))]
            // Resolved from an hour to four working days after the first response.
            if TicketServiceLevel.instant(r[2]) != nil {
                values["resolved"] = .datetime(DateCodec.utcText(epochSeconds: min(now, at + rng.int(60, 4 * 24 * 60) * 60)))
            }
            try store.update("ticket", id: id, values: values)
        }
        let customers = try store.select(sql: """
            SELECT c.id FROM customer c JOIN "user" u ON u.id = c.owner WHERE u.name = '李娜' AND c.kind <> 'supplier' ORDER BY c.id LIMIT 2
            """, arguments: []).rows
        let service = try store.select(sql: "SELECT id FROM \"user\" WHERE role = 'service' ORDER BY id LIMIT 1", arguments: []).rows.first?.first
        for (k, c) in customers.enumerated() {
            _ = try store.create("ticket", values: [
                "customer": c[0], "kind": .text(k == 0 ? "fault" : "complaint"),
                "title": .text(k == 0 ? "设备无法开机,客户急需" : "发票金额有误,要求当天更正"),
                "opened": .datetime(DateCodec.utcText(epochSeconds: now - (20 + 25 * k) * 60)),
                "priority": .text("urgent"), "assignee": service ?? .null])
        }
    }
}
