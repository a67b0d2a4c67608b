import CRMCore
import CRMTestSupport
import XCTest

/// Contracts and collections: a contract from a won deal, a plan that sums to the value,
/// receipts never over what is owed, receipts applied oldest first, ageing at its edges.
final class CollectionsTests: XCTestCase {
    var store: SQLiteStore!
    var today = 0

    override func setUpWithError() throws {
        store = try TestSupport.memoryStore()
        store.clock = .fixed(DateCodec.parseLocalDateTime("2026-11-22 10:00")!)
        today = store.clock.today
    }

    func money(_ text: String) -> Value { .decimal(Fixed(parsing: text, scale: 2)!) }
    func day(_ offset: Int) -> Value { .date(DateCodec.dateText(days: today + offset)) }

    /// A customer, a won deal of 1000.00 owned by user 1, and a draft contract of `value` on it.
    func draftContract(value: String = "1000.00") throws -> Int64 {
        let user = try store.create("user", values: ["name": .text("李娜")])
        let c = try store.create("customer", values: ["name": .text("王芳")])
        let d = try store.create("deal", values: ["customer": .integer(c), "title": .text("设备"), "amount": money("1000.00"),
                                                  "stage": .text("won"), "owner": .integer(user)])
        return try store.create("sales_contract", values: ["deal": .integer(d), "title": .text("HT-1"), "value": money(value)])
    }

    func instalment(_ contract: Int64, due: Int, _ amount: String) throws -> Int64 {
        try store.create("instalment", values: ["contract": .integer(contract), "due": day(due), "amount": money(amount)])
    }

    func testContract_fromADealNotWon_isRefused_andFromAWonDealTakesItsCustomerAndOwner() throws {
        let c = try store.create("customer", values: ["name": .text("甲")])
        let d = try store.create("deal", values: ["customer": .integer(c), "title": .text("t"), "stage": .text("negotiation")])
        XCTAssertThrowsError(try store.create("sales_contract", values: ["deal": .integer(d), "title": .text("x"), "value": money("1")])) {
            XCTAssertEqual("\($0)", "sales_contract.deal: deal \(d) is negotiation, not won; a contract comes from a won deal")
        }
        XCTAssertEqual(try store.count("sales_contract", where: nil), 0)
        let k = try draftContract()
        let record = try XCTUnwrap(try store.record("sales_contract", id: k))
        XCTAssertEqual(record["customer"], .integer(2))
        XCTAssertEqual(record["owner"], .integer(1))
        XCTAssertEqual(record["status"], .text("draft"))
    }

    func testSigning_withAPlanThatDoesNotSum_isRefusedNamingTheDifference() throws {
        let k = try draftContract()
        _ = try instalment(k, due: 0, "300.00")
        _ = try instalment(k, due: 30, "699.99")
        XCTAssertThrowsError(try store.update("sales_contract", id: k, values: ["status": .text("signed")])) {
            XCTAssertEqual("\($0)", "sales_contract.status: the payment plan sums to 999.99, the value is 1000.00 (difference 0.01); make the instalments sum to the value first")
        }
        XCTAssertEqual(try store.record("sales_contract", id: k)?["status"], .text("draft"))
        _ = try instalment(k, due: 60, "0.01")
        try store.update("sales_contract", id: k, values: ["status": .text("signed")])
        XCTAssertEqual(try store.record("sales_contract", id: k)?["status"], .text("signed"))
    }

    func testSignedContract_keepsItsPlan_butADueDateMayMove() throws {
        let k = try draftContract()
        let a = try instalment(k, due: 0, "400.00")
        _ = try instalment(k, due: 30, "600.00")
        try store.update("sales_contract", id: k, values: ["status": .text("signed")])
        XCTAssertThrowsError(try store.update("instalment", id: a, values: ["amount": money("500.00")])) {
            XCTAssertTrue("\($0)".hasPrefix("instalment.amount: contract \(k) is signed: its plan sums to its value"), "\($0)")
        }
        XCTAssertThrowsError(try instalment(k, due: 90, "1.00"))
        XCTAssertThrowsError(try store.update("sales_contract", id: k, values: ["value": money("1200.00")])) {
            XCTAssertEqual("\($0)", "sales_contract.value: the payment plan sums to 1000.00, the value is 1200.00 (difference 200.00); make the instalments sum to the value first")
        }
        XCTAssertTrue(try store.update("instalment", id: a, values: ["due": day(5)]))
    }

    func testReceipt_overWhatIsOwed_isRefusedNamingTheAmountOwed() throws {
        let k = try draftContract()
        let a = try instalment(k, due: 0, "400.00")
        _ = try instalment(k, due: 30, "600.00")
        XCTAssertThrowsError(try store.create("receipt", values: ["contract": .integer(k), "amount": money("1.00")])) {
            XCTAssertEqual("\($0)", "receipt.contract: contract \(k) is draft; receipts are taken on signed contracts")
        }
        try store.update("sales_contract", id: k, values: ["status": .text("signed")])
        _ = try store.create("receipt", values: ["contract": .integer(k), "instalment": .integer(a), "amount": money("150.00")])
        XCTAssertThrowsError(try store.create("receipt", values: ["contract": .integer(k), "instalment": .integer(a), "amount": money("250.01")])) {
            XCTAssertEqual("\($0)", "receipt.amount: 250.01 is more than instalment \(a) still owes (250.00)")
        }
        XCTAssertThrowsError(try store.create("receipt", values: ["contract": .integer(k), "amount": money("850.01")])) {
            XCTAssertEqual("\($0)", "receipt.amount: 850.01 is more than contract \(k) still owes (850.00)")
        }
        XCTAssertThrowsError(try store.update("sales_contract", id: k, values: ["status": .text("completed")])) {
            XCTAssertEqual("\($0)", "sales_contract.status: 850.00 is still owed; a contract is completed when it is fully collected")
        }
        _ = try store.create("receipt", values: ["contract": .integer(k), "amount": money("850.00")])
        XCTAssertEqual(try store.count("receipt", where: nil), 2)
        try store.update("sales_contract", id: k, values: ["status": .text("completed")])
        let plan = try PaymentPlan.load(store, contract: k)
        XCTAssertEqual(plan.received, 100_000)
        XCTAssertEqual(Money.percent(plan.received, of: 100_000), .decimal(Fixed(units: 1000, scale: 1)))
    }

    func testReceiptWithoutInstalment_paysTheOldestInstalmentsFirst() {
        let plan = PaymentPlan(instalments: [.init(id: 2, due: 30, amount: 600_00), .init(id: 1, due: 0, amount: 400_00),
                                             .init(id: 3, due: 60, amount: 100_00)],
                               receipts: [(nil, 500_00), (3, 50_00)])
        XCTAssertEqual(plan.lines.map(\.id), [1, 2, 3])
        XCTAssertEqual(plan.lines.map(\.paid), [400_00, 100_00, 50_00])
        XCTAssertEqual(plan.lines.map(\.owed), [0, 500_00, 50_00])
        XCTAssertEqual(plan.unapplied, 0)
    }

    func testCollectedShare_roundsHalfAwayFromZero() {
        XCTAssertEqual(Money.percent(1, of: 3).displayText, "33.3")
        XCTAssertEqual(Money.percent(2, of: 3).displayText, "66.7")
        XCTAssertEqual(Money.percent(1, of: 8).displayText, "12.5")
        XCTAssertEqual(Money.percent(1, of: 1600).displayText, "0.1", "0.0625% rounds up")
        XCTAssertEqual(Money.percent(1, of: 0), .null)
    }

    func testAgeingBuckets_atTheirEdges() {
        let cases: [(Int, Int)] = [(-5, 0), (0, 0), (1, 1), (30, 1), (31, 2), (60, 2), (61, 3), (90, 3), (91, 4), (400, 4)]
        for (days, bucket) in cases {
            XCTAssertEqual(ReceivablesAgeing.bucket(daysOverdue: days), bucket, "\(days) days overdue")
        }
    }

    func testReceivables_byDueDateAgainstToday_exactTotalsPerOwnerAndCustomer() throws {
        let k = try draftContract(value: "1000.00")
        // due today (not yet due), 30 days ago (1–30), 31 days ago (31–60), 91 days ago (over 90).
        let dues: [(Int, String)] = [(0, "100.00"), (-30, "200.00"), (-31, "300.00"), (-91, "400.00")]
        var ids: [Int64] = []
        for (due, amount) in dues { ids.append(try instalment(k, due: due, amount)) }
        try store.update("sales_contract", id: k, values: ["status": .text("signed")])
        // 100.01 naming no instalment pays the oldest first: 400.00 due 91 days ago owes 299.99.
        _ = try store.create("receipt", values: ["contract": .integer(k), "amount": money("100.01")])
        let items = try ReceivablesAgeing.items(store, on: today)
        XCTAssertEqual(items.map(\.instalment), [ids[3], ids[2], ids[1], ids[0]])
        XCTAssertEqual(items.map(\.bucket), [4, 2, 1, 0])
        XCTAssertEqual(items.map(\.owed), [299_99, 300_00, 200_00, 100_00])
        let byOwner = ReceivablesAgeing.totals(items) { $0.owner ?? 0 }
        XCTAssertEqual(byOwner[1], [100_00, 200_00, 300_00, 0, 299_99, 899_99])
        XCTAssertEqual(ReceivablesAgeing.totals(items) { $0.customer }[1]?.last, 899_99)
        // A day later the one due today is 1 day overdue and the 30th day becomes the 31st.
        XCTAssertEqual(try ReceivablesAgeing.items(store, on: today + 1).map(\.bucket), [4, 2, 2, 1])
        let before = try ReceivablesAgeing.items(store, on: today - 1)
        XCTAssertEqual(before.first?.owed, 400_00, "the receipt of today is not counted the day before")
    }
}
