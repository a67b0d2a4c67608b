/// The sales modules' demo: two segments, products, two campaigns with responses and
/// deals, quotes in every state, and deal teams, on top of `DemoData`'s customers.
enum SalesDemo {
    static let products: [(String, String, String, Int64)] = [
        ("SW-STD", "CRM 标准版", "套", 1_280_000), ("SW-PRO", "CRM 专业版", "套", 3_680_000),
        ("SVC-DAY", "实施服务", "人天", 250_000), ("TRAIN", "培训课程", "场", 600_000),
    ]

    static func fill(_ store: CRMStore, sales: [Int64], rng: inout SplitMix64) throws {
        // A small demo may leave a segment empty: that is no news to whoever asked for it.
        let sink = store as? WarningSink
        let warn = sink?.warn
        sink?.warn = nil
        defer { sink?.warn = warn }
        let now = store.clock.now()
        let today = store.clock.today
        func day(_ offset: Int) -> Value { .date(DateCodec.dateText(days: today + offset)) }
        let shanghai = Filter.compare(FieldRef("city"), .eq, Literal("上海"))
        let shanghaiSegment = try store.create("segment", values: [
            "name": .text("shanghai"), "kind": .text("filter"), "definition": .text("city = 上海"),
            "compiled": .text(SegmentFilterText.encode(shanghai)), "description": .text("customers in 上海"),
        ])
        let fair = try store.create("segment", values: ["name": .text("fair-2026"), "kind": .text("list"),
                                                        "definition": .text("list: visitors of the spring fair"),
                                                        "description": .text("名单：春季展会到访")])
        let customers = try store.select(sql: "SELECT id FROM customer ORDER BY id", arguments: []).rows.compactMap { $0[0].idValue }
        let visitors = customers.filter { _ in rng.int(0, 9) == 0 }
        for c in visitors { _ = try store.create("segment_member", values: ["segment": .integer(fair), "customer": .integer(c)]) }
        for (code, name, unit, price) in products {
            _ = try store.create("product", values: ["code": .text(code), "name": .text(name), "unit": .text(unit),
                                                     "list_price": .decimal(Fixed(units: price, scale: 2))])
        }
        let spring = try store.create("campaign", values: [
            "name": .text("春季展会邀约"), "segment": .integer(fair), "channel": .text("sms"), "starts": day(-40), "ends": day(-10),
            "cost": .decimal(Fixed(units: 800_000, scale: 2)), "message": .text("【CRM Shell】春季展会邀您莅临，凭短信领取资料。"),
            "owner": .integer(sales[0]),
        ])
        let wechat = try store.create("campaign", values: [
            "name": .text("上海客户微信推送"), "segment": .integer(shanghaiSegment), "channel": .text("wechat"), "starts": day(-20), "ends": day(10),
            "cost": .decimal(Fixed(units: 300_000, scale: 2)), "message": .text("专业版限时九折"), "owner": .integer(sales[1 % sales.count]),
        ])
        // Responses: a third of the visitors, and some Shanghai customers.
        let inShanghai = try store.select(sql: "SELECT id FROM customer WHERE city = '上海' ORDER BY id", arguments: []).rows.compactMap { $0[0].idValue }
        for (campaign, audience) in [(spring, visitors), (wechat, inShanghai)] {
            for c in audience where rng.int(0, 2) == 0 {
                _ = try store.create("interaction", values: [
                    "customer": .integer(c), "kind": .text(campaign == spring ? "visit" : "message"), "campaign": .integer(campaign),
                    "at": .datetime(DateCodec.utcText(epochSeconds: now - rng.int(1, 9) * 86400)),
                    "summary": .text(campaign == spring ? "展会到访" : "回复微信推送"), "by": .integer(rng.pick(sales)),
                ])
            }
        }
        // Deals of responders came from the campaign; open ones get quotes and a team.
        let open = try store.select(sql: "SELECT d.id, i.campaign FROM deal d JOIN interaction i ON i.customer = d.customer "
                                    + "WHERE i.campaign IS NOT NULL AND d.stage NOT IN ('won', 'lost') GROUP BY d.id, i.campaign ORDER BY d.id",
                                    arguments: []).rows
        var done = Set<Int64>()
        for (n, row) in open.enumerated() {
            guard let deal = row[0].idValue, done.insert(deal).inserted else { continue }
            _ = try store.update("deal", id: deal, values: ["campaign": row[1]])
            let lead = rng.pick(sales)
            let other = sales.first { $0 != lead } ?? lead
            _ = try store.create("deal_member", values: ["deal": .integer(deal), "user": .integer(lead), "role": .text("lead"),
                                                         "share": .decimal(Fixed(units: 6000, scale: 2))])
            if other != lead {
                _ = try store.create("deal_member", values: ["deal": .integer(deal), "user": .integer(other), "role": .text("presales"),
                                                             "share": .decimal(Fixed(units: 4000, scale: 2))])
            }
            let quote = try store.create("quote", values: ["deal": .integer(deal), "valid_until": day(30)])
            _ = try store.create("quote_line", values: ["quote": .integer(quote), "product": .integer(Int64(1 + n % 2)),
                                                        "quantity": .decimal(Fixed(units: Int64(rng.int(1, 5)), scale: 0))])
            _ = try store.create("quote_line", values: ["quote": .integer(quote), "product": .integer(3),
                                                        "quantity": .decimal(Fixed(units: Int64(rng.int(2, 10)), scale: 0)),
                                                        "discount": .decimal(Fixed(units: 1000, scale: 2))])
            switch n % 3 {
            case 0:  // sent, revised with a bigger discount, accepted, and the deal won
                _ = try store.update("quote", id: quote, values: ["status": .text("sent")])
                let v2 = try store.create("quote", values: ["deal": .integer(deal), "valid_until": day(30)])
                let lines = try store.select(sql: "SELECT product, quantity FROM quote_line WHERE quote = ?", arguments: [.integer(quote)]).rows
                for l in lines {
                    _ = try store.create("quote_line", values: ["quote": .integer(v2), "product": l[0], "quantity": l[1],
                                                                "discount": .decimal(Fixed(units: 1500, scale: 2))])
                }
                _ = try store.update("quote", id: v2, values: ["status": .text("sent")])
                _ = try store.update("quote", id: v2, values: ["status": .text("accepted")])
                _ = try store.update("deal", id: deal, values: ["stage": .text("won"), "closed": day(-rng.int(0, 9))])
            case 1:
                _ = try store.update("quote", id: quote, values: ["status": .text("sent")])
            default:
                break
            }
        }
    }
}
