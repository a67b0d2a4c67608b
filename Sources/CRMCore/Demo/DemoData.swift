/// Fills a database with realistic sample data so a newcomer can try every command.
public enum DemoData {
    /// How many records of each kind `fill` wrote.
    public struct Summary: Equatable, Sendable {
        public var users = 0, customers = 0, contacts = 0, interactions = 0, tasks = 0, deals = 0, tickets = 0
    }

    /// Adds staff, `customers` customers (Chinese and English names, organisations) and
    /// their contacts, interactions, tasks, deals and tickets, dated around the store's
    /// clock. The same seed gives the same data. All or nothing.
    public static func fill(_ store: CRMStore, customers: Int = 300, seed: UInt64 = 2026) throws -> Summary {
        var rng = SplitMix64(seed: seed)
        var s = Summary()
        let now = store.clock.now()
        let today = store.clock.today
        func day(_ offset: Int) -> Value { .date(DateCodec.dateText(days: today + offset)) }
        func instant(daysAgo: Int) -> Value {
            .datetime(DateCodec.utcText(epochSeconds: now - daysAgo * 86400 - rng.int(0, 9 * 3600)))
        }
        try store.atomically {
            var sales: [Int64] = []
            var service: [Int64] = []
            for (name, role, team) in staff {
                let id = try store.create("user", values: ["name": .text(name), "role": .text(role), "team": .text(team)])
                if role == "sales" || role == "manager" { sales.append(id) } else { service.append(id) }
                s.users += 1
            }
            for n in 0..<customers {
                let kind = rng.int(0, 99)
                let city = rng.pick(cities)
                var values: [String: Value] = [:]
                let organisation = kind >= 90
                if n == 0 {
                    values["name"] = .text("王芳")
                } else if n == 1 {
                    values["name"] = .text("王芳芳")
                } else if organisation {
                    values["name"] = .text(city + rng.pick(orgWords) + rng.pick(orgKinds))
                    values["kind"] = .text("organisation")
                } else if kind >= 80 {
                    values["name"] = .text(rng.pick(englishGiven) + " " + rng.pick(englishFamily))
                } else {
                    let surname = rng.int(0, 19) == 0 ? rng.pick(doubleSurnames) : rng.pick(surnames)
                    let given = rng.pick(givenChars) + (rng.int(0, 2) == 0 ? "" : rng.pick(givenChars))
                    values["name"] = .text(surname + given)
                }
                values["phone"] = .text(rng.pick(["138", "139", "150", "186", "188", "135"]) + String(format8(rng.int(0, 99_999_999))))
                if rng.int(0, 1) == 0 {
                    values["email"] = .text(rng.pick(englishLocal) + String(rng.int(1, 999)) + "@" + rng.pick(["qq.com", "163.com", "example.com"]))
                }
                values["city"] = .text(city)
                values["address"] = .text(city + "市" + rng.pick(districts) + "区" + rng.pick(streets) + "路" + String(rng.int(1, 999)) + "号")
                values["source"] = .text(rng.pick(["walk-in", "referral", "web", "phone", "ad", "exhibition"]))
                values["owner"] = .integer(rng.pick(sales))
                values["stage"] = .text(rng.pick(["potential", "potential", "development", "growth", "growth", "maturity", "termination"]))
                let pareto = rng.int(0, 99)
                values["value_class"] = .text(pareto < 5 ? "A" : pareto < 20 ? "B" : "C")
                if rng.int(0, 2) == 0 { values["birthday"] = day(-rng.int(20 * 365, 60 * 365)) }
                if rng.int(0, 2) == 0 { values["tags"] = .text([rng.pick(tags), rng.pick(tags)].joined(separator: ",")) }
                if rng.int(0, 5) == 0 { values["notes"] = .text(rng.pick(notes)) }
                let customer = try store.create("customer", values: values)
                s.customers += 1
                if organisation {
                    for _ in 0..<rng.int(2, 3) {
                        _ = try store.create("contact", values: [
                            "customer": .integer(customer),
                            "name": .text(rng.pick(surnames) + rng.pick(givenChars) + rng.pick(givenChars)),
                            "title": .text(rng.pick(["采购经理", "总经理", "财务总监", "行政主管", "技术负责人"])),
                            "phone": .text("139" + format8(rng.int(0, 99_999_999)))])
                        s.contacts += 1
                    }
                }
                for _ in 0..<rng.int(1, 6) {
                    let k = rng.pick(["visit", "call", "call", "email", "meeting", "message", "note"])
                    _ = try store.create("interaction", values: [
                        "customer": .integer(customer), "kind": .text(k), "by": .integer(rng.pick(sales)),
                        "at": instant(daysAgo: rng.int(0, 120)), "summary": .text(rng.pick(summaries)),
                        "outcome": .text(rng.pick(outcomes))])
                    s.interactions += 1
                }
                if rng.int(0, 1) == 0 {
                    _ = try store.create("task", values: [
                        "customer": .integer(customer), "title": .text(rng.pick(taskTitles)),
                        "assignee": .integer(rng.pick(sales)), "due": day(rng.int(-10, 20)),
                        "status": .text(rng.int(0, 3) == 0 ? "done" : "open")])
                    s.tasks += 1
                }
                if rng.int(0, 9) < 3 {
                    let stage = rng.pick(["lead", "qualified", "proposal", "negotiation", "won", "lost"])
                    var deal: [String: Value] = [
                        "customer": .integer(customer), "title": .text(rng.pick(dealTitles)),
                        "amount": .decimal(Fixed(units: Int64(rng.int(128, 35_000)) * 10_000, scale: 2)),
                        "stage": .text(stage), "expected_close": day(rng.int(-30, 90)), "owner": .integer(rng.pick(sales))]
                    if stage == "won" || stage == "lost" { deal["closed"] = day(-rng.int(1, 60)) }
                    _ = try store.create("deal", values: deal)
                    s.deals += 1
                }
                if rng.int(0, 99) < 15 {
                    let status = rng.pick(["open", "in_progress", "resolved", "closed"])
                    var ticket: [String: Value] = [
                        "customer": .integer(customer), "kind": .text(rng.pick(["request", "complaint", "fault"])),
                        "title": .text(rng.pick(ticketTitles)), "opened": instant(daysAgo: rng.int(1, 60)),
                        "priority": .text(rng.pick(["low", "normal", "normal", "high", "urgent"])),
                        "status": .text(status), "assignee": .integer(rng.pick(service))]
                    if status == "resolved" || status == "closed" {
                        ticket["resolved"] = instant(daysAgo: 0)
                        ticket["satisfaction"] = .integer(Int64(rng.int(1, 5)))
                    }
                    _ = try store.create("ticket", values: ticket)
                    s.tickets += 1
                }
            }
            try CollectionsDemo.fill(store, seed: seed)
            try SalesDemo.fill(store, sales: sales, rng: &rng)
            try CareDemo.fill(store, customers: customers)
        }
        return s
    }

    static func format8(_ n: Int) -> String {
        let digits = String(n)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    static let staff = [("张伟", "manager", "销售一组"), ("李娜", "sales", "销售一组"), ("王强", "sales", "销售一组"),
                        ("刘洋", "sales", "销售二组"), ("陈静", "sales", "销售二组"), ("David Chen", "sales", "Key accounts"),
                        ("赵敏", "service", "客服部"), ("孙丽", "service", "客服部"), ("周杰", "finance", "财务部")]
    static let surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗"]
    static let doubleSurnames = ["欧阳", "司马", "上官", "诸葛"]
    static let givenChars = ["芳", "伟", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华", "建", "文", "玲", "婷", "鹏", "辉"]
    static let englishGiven = ["Alice", "David", "Emma", "James", "Olivia", "Michael", "Sophia", "Daniel", "Grace", "Henry"]
    static let englishFamily = ["Wang", "Miller", "Smith", "Johnson", "Brown", "Lee", "Garcia", "Taylor", "Chen", "Wilson"]
    static let englishLocal = ["alice", "david", "wangfang", "lina", "zhangwei", "emma", "chenjing", "liuyang", "james", "sophia"]
    static let orgWords = ["浦东置业", "华信科技", "长江贸易", "新纪元教育", "东方能源", "恒通物流"]
    static let orgKinds = ["有限公司", "股份有限公司", "集团"]
    static let cities = ["上海", "北京", "广州", "深圳", "杭州", "成都", "南京", "武汉"]
    static let districts = ["浦东", "朝阳", "天河", "南山", "西湖", "武侯", "鼓楼", "江汉"]
    static let streets = ["人民", "中山", "解放", "建设", "和平", "新华"]
    static let tags = ["vip", "老客户", "团购", "转介绍", "投资客", "首次置业", "价格敏感"]
    static let notes = ["喜欢南向户型", "周末方便联系", "对价格比较敏感", "需要开发票", "Prefers email in English"]
    static let summaries = ["电话回访，了解需求", "到访看样板间", "发送报价单", "微信沟通付款方式", "面谈合同细节", "Follow-up call about pricing"]
    static let outcomes = ["有意向", "需再跟进", "暂无需求", "已约下次见面", "Interested"]
    static let taskTitles = ["回访", "发送报价", "预约看房", "确认付款计划", "生日问候", "Send brochure"]
    static let dealTitles = ["三室两厅认购", "年度服务合同", "团购套餐", "设备采购", "Enterprise licence"]
    static let ticketTitles = ["账单疑问", "服务投诉", "设备故障报修", "变更联系方式", "Delivery delayed"]
}

/// A small, fast, seedable random generator (SplitMix64), so demo data is repeatable.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A whole number in lo...hi.
    mutating func int(_ lo: Int, _ hi: Int) -> Int { lo + Int(next() % UInt64(hi - lo + 1)) }

    mutating func pick<T>(_ items: [T]) -> T { items[int(0, items.count - 1)] }
}
