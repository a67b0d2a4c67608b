import CRMCore
import CRMTestSupport
import GRDB
import XCTest

/// Records and tables as they stood at the end of a past day, rebuilt from the audit trail.
final class AsOfTests: XCTestCase {
    var store: SQLiteStore!

    override func setUpWithError() throws {
        store = try TestSupport.memoryStore()
    }

    /// Pins the store's clock at local noon of a day.
    func at(_ date: String) {
        let midnight = DateCodec.localMidnight(days: DateCodec.days(ofDate: date)!)
        store.clock = .fixed(midnight + 12 * 3600)
    }

    func v(_ entity: String, _ pairs: [String: String]) throws -> [String: Value] {
        var out: [String: Value] = [:]
        for (k, text) in pairs { out[k] = try store.parseValue(entity: entity, field: k, text: text) }
        return out
    }

    /// 王芳 from 10-01 (city 上海, then 北京 on 10-20), a deal of 1000.00 raised to 1500.50 on
    /// 10-25 and deleted on 11-05, 李娜 created on 11-02.
    func history() throws -> (wang: Int64, deal: Int64, li: Int64) {
        at("2026-10-01")
        let wang = try store.create("customer", values: v("customer", ["name": "王芳", "city": "上海"]))
        let deal = try store.create("deal", values: v("deal", ["customer": "\(wang)", "title": "t", "amount": "1000"]))
        at("2026-10-20")
        try store.update("customer", id: wang, values: v("customer", ["city": "北京"]))
        at("2026-10-25")
        try store.update("deal", id: deal, values: v("deal", ["amount": "1500.50", "stage": "won"]))
        at("2026-11-02")
        let li = try store.create("customer", values: v("customer", ["name": "李娜"]))
        at("2026-11-05")
        try store.delete("deal", id: deal)
        at("2026-11-22")
        return (wang, deal, li)
    }

    func testRecordAsOf_givesEachFieldTheValueItHadThatEvening() throws {
        let h = try history()
        XCTAssertEqual(try store.record("customer", id: h.wang, asOf: "2026-10-19")?["city"], .text("上海"))
        XCTAssertEqual(try store.record("customer", id: h.wang, asOf: "2026-10-20")?["city"], .text("北京"),
                       "a change during the day counts at its end")
        XCTAssertEqual(try store.record("customer", id: h.wang, asOf: "2026-11-30")?["city"], .text("北京"))
    }

    func testRecordAsOf_anInstant_includesWhatWasWrittenAtIt() throws {
        let h = try history()  // the city changed at local noon on 10-20
        XCTAssertEqual(try store.record("customer", id: h.wang, asOf: "2026-10-20 11:59")?["city"], .text("上海"))
        XCTAssertEqual(try store.record("customer", id: h.wang, asOf: "2026-10-20 12:00")?["city"], .text("北京"))
        let table = try store.materializeAsOf("customer", date: "2026-10-20 11:59")
        XCTAssertEqual(try store.select(sql: "SELECT city FROM \(table)", arguments: []).rows, [[.text("上海")]])
    }

    func testRecordAsOf_isNilBeforeItWasCreated_andBackAfterItWasDeleted() throws {
        let h = try history()
        XCTAssertNil(try store.record("customer", id: h.li, asOf: "2026-11-01"))
        XCTAssertEqual(try store.record("customer", id: h.li, asOf: "2026-11-02")?["name"], .text("李娜"))
        XCTAssertNil(try store.record("customer", id: h.wang, asOf: "2026-09-30"))
        XCTAssertNil(try store.record("deal", id: h.deal, asOf: "2026-11-05"))
        let before = try XCTUnwrap(store.record("deal", id: h.deal, asOf: "2026-11-04"))
        XCTAssertEqual(before["amount"], .decimal(Fixed(units: 150050, scale: 2)))
        XCTAssertEqual(before["stage"], .text("won"))
        let first = try XCTUnwrap(store.record("deal", id: h.deal, asOf: "2026-10-24"))
        XCTAssertEqual(first["amount"], .decimal(Fixed(units: 100000, scale: 2)), "money exact, from the delete row and the update's old text")
        XCTAssertEqual(first["stage"], .text("lead"))
    }

    func testMaterializeAsOf_buildsATableForReadOnlySQL() throws {
        let h = try history()
        let table = try store.materializeAsOf("deal", date: "2026-10-24")
        XCTAssertEqual(table, "asof_deal_20261024")
        let rows = try store.select(sql: "SELECT id, amount, stage FROM \(table)", arguments: [])
        XCTAssertEqual(rows.rows, [[.integer(h.deal), .decimal(Fixed(units: 100000, scale: 2)), .text("lead")]],
                       "money read as the amount, as from the entity's own table")
        let raw = try store.select(sql: "SELECT amount * 1, sum(amount) FROM \(table)", arguments: [])
        XCTAssertEqual(raw.rows, [[.integer(100000), .decimal(Fixed(units: 100000, scale: 2))]],
                       "stored in cents: an expression shows them, a sum of the field is an amount")
        let customers = try store.materializeAsOf("customer", date: "2026-10-31")
        XCTAssertEqual(try store.select(sql: "SELECT name, city FROM \(customers) ORDER BY id", arguments: []).rows,
                       [[.text("王芳"), .text("北京")]])
        let now = try store.materializeAsOf("deal", date: "2026-11-22")
        XCTAssertEqual(try store.select(sql: "SELECT count(*) FROM \(now)", arguments: []).rows, [[.integer(0)]])
    }

    func testAsOf_refusesAMalformedDate() throws {
        XCTAssertThrowsError(try store.record("customer", id: 1, asOf: "31.10.2026")) { error in
            XCTAssertEqual("\(error)", "as of '31.10.2026': not a date (expected YYYY-MM-DD, or an instant such as 2026-03-01T01:00:00Z)")
        }
    }
}
