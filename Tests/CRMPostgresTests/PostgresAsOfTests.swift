import CRMCore
import CRMTestSupport
import Foundation
import XCTest
@testable import CRMPostgres

/// `record(_:id:asOf:)` and `materializeAsOf` on PostgreSQL: records and tables as they
/// stood at the end of a past day, rebuilt from `_crm_audit` as on SQLite (`AsOfTests`).
final class PostgresAsOfTests: XCTestCase {
    var store: PostgresStore!

    override func setUpWithError() throws {
        store = try PostgresStore(url: try PostgresTestDatabase.make(self), user: "tester")
    }

    override func tearDown() { store?.close() }

    /// A plugin's entity with one field of every stored kind.
    static let lot = EntityDefinition(
        name: "lot", label: "Lot",
        fields: [
            FieldDefinition("code", .text, required: true),
            FieldDefinition("price", .money),
            FieldDefinition("area", .decimal(scale: 1)),
            FieldDefinition("handover", .date),
            FieldDefinition("corner", .bool),
            FieldDefinition("seen", .datetime),
            FieldDefinition("extra", .json),
            FieldDefinition("rooms", .integer),
        ],
        owner: "core")

    /// Pins the store's clock at local noon of a day.
    func at(_ date: String) {
        store.clock = .fixed(DateCodec.localMidnight(days: DateCodec.days(ofDate: date)!) + 12 * 3600)
    }

    func v(_ entity: String, _ pairs: [String: String]) throws -> [String: Value] {
        var out: [String: Value] = [:]
        for (k, text) in pairs { out[k] = try store.parseValue(entity: entity, field: k, text: text) }
        return out
    }

    func rows(_ sql: String, scope: ReadScope? = nil) throws -> [[Value]] {
        try store.select(sql: sql, arguments: [], scope: scope, shouldStop: nil).rows
    }

    /// 王芳 from 10-01 (city 上海, then 北京 on 10-20), a deal of 1000.00 closing 2026-12-01,
    /// raised to 1500.50 and won on 10-25 and deleted on 11-05, 李娜 created on 11-02.
    func history() throws -> (wang: Int64, deal: Int64, li: Int64) {
        at("2026-10-01")
        let wang = try store.create("customer", values: v("customer", ["name": "王芳", "city": "上海"]))
        let deal = try store.create("deal", values: v("deal", ["customer": "\(wang)", "title": "t", "amount": "1000",
                                                               "expected_close": "2026-12-01"]))
        at("2026-10-20")
        try store.update("customer", id: wang, values: v("customer", ["city": "北京"]))
        at("2026-10-25")
        try store.update("deal", id: deal, values: v("deal", ["amount": "1500.50", "stage": "won", "expected_close": "2026-10-25"]))
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
        XCTAssertEqual(try store.record("customer", id: h.wang, asOf: "2026-10-19")?["name"], .text("王芳"))
    }

    func testRecordAsOf_anInstant_includesWhatWasWrittenAtIt() throws {
        let h = try history()  // the city changed at local noon on 10-20
        XCTAssertEqual(try store.record("customer", id: h.wang, asOf: "2026-10-20 11:59")?["city"], .text("上海"))
        XCTAssertEqual(try store.record("customer", id: h.wang, asOf: "2026-10-20 12:00")?["city"], .text("北京"))
        let noon = DateCodec.utcText(epochSeconds: DateCodec.localMidnight(days: DateCodec.days(ofDate: "2026-10-20")!) + 12 * 3600)
        XCTAssertEqual(try store.record("customer", id: h.wang, asOf: noon)?["city"], .text("北京"), "a stored UTC instant")
        let table = try store.materializeAsOf("customer", date: "2026-10-20 11:59")
        XCTAssertEqual(table, "asof_customer_202610201159")
        XCTAssertEqual(try rows("SELECT city FROM \(table)"), [[.text("上海")]])
        let stamped = try store.materializeAsOf("customer", date: noon)
        XCTAssertEqual(stamped, "asof_customer_" + noon.filter { $0.isNumber || $0 == "T" }, "named as on SQLite")
        XCTAssertEqual(try rows("SELECT city FROM \(stamped)"), [[.text("北京")]], "read by its unquoted name")
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
        XCTAssertEqual(before["expected_close"], .date("2026-10-25"))
        let first = try XCTUnwrap(store.record("deal", id: h.deal, asOf: "2026-10-24"))
        XCTAssertEqual(first["amount"], .decimal(Fixed(units: 100000, scale: 2)), "money exact, from the delete row and the update's old text")
        XCTAssertEqual(first["stage"], .text("lead"))
        XCTAssertEqual(first["expected_close"], .date("2026-12-01"))
        XCTAssertNil(try store.record("deal", id: 999, asOf: "2026-10-24"))
    }

    func testMaterializeAsOf_buildsATableTypedAsTheEntitysForReadOnlySQL() throws {
        let h = try history()
        let table = try store.materializeAsOf("deal", date: "2026-10-24")
        XCTAssertEqual(table, "asof_deal_20261024")
        XCTAssertEqual(try rows("SELECT id, amount, stage, expected_close FROM \(table)"),
                       [[.integer(h.deal), .decimal(Fixed(units: 100000, scale: 2)), .text("lead"), .text("2026-12-01")]],
                       "money read as the amount, as from the entity's own table")
        XCTAssertEqual(try rows("SELECT amount * 1, sum(amount) FROM \(table) GROUP BY amount"),
                       [[.integer(100000), .decimal(Fixed(units: 100000, scale: 2))]],
                       "stored in cents: an expression shows them, a sum of the field is an amount")
        XCTAssertEqual(try rows("SELECT count(*) FROM \(table) WHERE expected_close > '2026-11-30'"), [[.integer(1)]],
                       "dates compare as dates")
        let types = try rows("""
            SELECT format_type(atttypid, atttypmod) FROM pg_attribute
            WHERE attrelid = 'pg_temp.\(table)'::regclass AND attname IN ('id', 'amount', 'expected_close', 'created') ORDER BY attnum
            """)
        XCTAssertEqual(types, [[.text("bigint")], [.text("bigint")], [.text("date")], [.text("timestamp with time zone")]])
        let customers = try store.materializeAsOf("customer", date: "2026-10-31")
        XCTAssertEqual(try rows("SELECT name, city FROM \(customers) ORDER BY id"), [[.text("王芳"), .text("北京")]])
        let now = try store.materializeAsOf("deal", date: "2026-11-22")
        XCTAssertEqual(try rows("SELECT count(*) FROM \(now)"), [[.integer(0)]])
    }

    func testMaterializeAsOf_bringsBackEveryKindOfFieldOfADeletedRecordExactly() throws {
        try store.install([Self.lot])
        at("2026-03-01")
        let values = try v("lot", ["code": "A-1", "price": "1234567.89", "area": "88.5", "handover": "2027-03-01",
                                   "corner": "yes", "seen": "2026-02-27T08:30:00Z", "extra": "{\"floor\": 3}", "rooms": "4"])
        let id = try store.create("lot", values: values)
        let plain = try store.create("lot", values: v("lot", ["code": "B-2"]))
        at("2026-03-02")
        try store.update("lot", id: id, values: v("lot", ["price": "99.99", "corner": "no", "area": "1.0"]))
        try store.update("lot", id: plain, values: v("lot", ["rooms": "2", "handover": "2026-05-05"]))
        at("2026-03-03")
        try store.delete("lot", id: id)
        at("2026-03-10")
        let table = try store.materializeAsOf("lot", date: "2026-03-01")
        let got = try rows("SELECT code, price, area, handover, corner, seen, extra, rooms FROM \(table) ORDER BY id")
        XCTAssertEqual(got, [
            [.text("A-1"), .decimal(Fixed(units: 123456789, scale: 2)), .decimal(Fixed(units: 885, scale: 1)), .text("2027-03-01"),
             .integer(1), .text("2026-02-27T08:30:00Z"), .text("{\"floor\": 3}"), .integer(4)],
            [.text("B-2"), .null, .null, .null, .null, .null, .null, .null],
        ])
        let record = try XCTUnwrap(store.record("lot", id: id, asOf: "2026-03-01"))
        for name in ["price", "area", "handover", "corner", "rooms", "code"] {
            XCTAssertEqual(record[name], values[name], name)
        }
        let mid = try store.materializeAsOf("lot", date: "2026-03-02")
        XCTAssertEqual(try rows("SELECT price, corner, area, rooms, handover FROM \(mid) ORDER BY id"), [
            [.decimal(Fixed(units: 9999, scale: 2)), .integer(0), .decimal(Fixed(units: 10, scale: 1)), .integer(4), .text("2027-03-01")],
            [.null, .null, .null, .integer(2), .text("2026-05-05")],
        ])
    }

    func testASecondCallRebuilds_andTwoDatesCoexist() throws {
        let h = try history()
        let today = try store.materializeAsOf("customer", date: "2026-11-22")
        XCTAssertEqual(try rows("SELECT count(*) FROM \(today)"), [[.integer(2)]])
        try store.update("customer", id: h.li, values: v("customer", ["city": "杭州"]))
        XCTAssertEqual(try store.materializeAsOf("customer", date: "2026-11-22"), today)
        XCTAssertEqual(try rows("SELECT city FROM \(today) WHERE id = \(h.li)"), [[.text("杭州")]], "rebuilt with the later write")
        let october = try store.materializeAsOf("customer", date: "2026-10-19")
        XCTAssertEqual(try rows("""
            SELECT o.city, n.city FROM \(october) o JOIN \(today) n ON n.id = o.id ORDER BY o.id
            """), [[.text("上海"), .text("北京")]])
    }

    func testSelectReadsThePictureOfAnEntityInScope_andRefusesOthers() throws {
        _ = try history()
        let deals = try store.materializeAsOf("deal", date: "2026-10-24")
        let customers = try store.materializeAsOf("customer", date: "2026-10-24")
        let scope = ReadScope(tables: ["deal"], reader: "plugin 'sales'", allowed: "its own entities")
        XCTAssertEqual(try rows("SELECT sum(amount) FROM \(deals)", scope: scope), [[.decimal(Fixed(units: 100000, scale: 2))]])
        XCTAssertThrowsError(try rows("SELECT count(*) FROM \(customers)", scope: scope)) { error in
            XCTAssertEqual("\(error)", "SQL: plugin 'sales' may not read table 'asof_customer_20261024' (its own entities)")
        }
        XCTAssertThrowsError(try rows("SELECT count(*) FROM \(deals) d JOIN _crm_audit a ON a.record_id = d.id", scope: scope))
        // Inside a transaction too, and a write to the picture is refused.
        try store.begin()
        XCTAssertEqual(try rows("SELECT count(*) FROM \(deals)", scope: scope), [[.integer(1)]])
        XCTAssertThrowsError(try rows("WITH x AS (DELETE FROM \(deals) RETURNING id) SELECT count(*) FROM x", scope: scope))
        try store.rollback()
    }

    func testAsOf_refusesAMalformedDate() throws {
        XCTAssertThrowsError(try store.record("customer", id: 1, asOf: "31.10.2026")) { error in
            XCTAssertEqual("\(error)", "as of '31.10.2026': not a date (expected YYYY-MM-DD, or an instant such as 2026-03-01T01:00:00Z)")
        }
        XCTAssertThrowsError(try store.materializeAsOf("customer", date: "yesterday"))
    }
}

/// The end of a local day through the binary on the test server: 北京 was written at
/// 2026-10-20T17:00:00Z, which is 10-21 01:00 in Shanghai but still 10-20 in UTC.
final class PostgresAsOfTimeZoneTests: XCTestCase {
    func testADaysEndIsTheLocalMidnight() throws {
        let sandbox = try CRMSandbox()
        defer { sandbox.remove() }
        let url = try PostgresTestDatabase.make(self)
        func crm(_ now: String, _ tz: String, _ commands: String...) throws -> CommandResult {
            try sandbox.run(["--db", url] + commands.flatMap { ["-c", $0] }, environment: ["CRM_NOW": now, "TZ": tz])
        }
        var r = try crm("2026-10-20T10:00:00Z", "UTC", "add customer name=王芳 city=上海")
        XCTAssertEqual(r.status, 0, r.description)
        r = try crm("2026-10-20T17:00:00Z", "UTC", "update customer 1 set city=北京")
        XCTAssertEqual(r.status, 0, r.description)
        func city(_ tz: String, _ moment: String) throws -> String {
            let r = try crm("2026-11-22T10:00:00Z", tz,
                            "= crm.get_as_of('customer', 1, '\(moment)').city .. ' ' .. crm.query('select city from ' .. crm.as_of('customer', '\(moment)'))[1].city")
            XCTAssertEqual(r.status, 0, r.description)
            return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        XCTAssertEqual(try city("Asia/Shanghai", "2026-10-20"), "\"上海 上海\"")
        XCTAssertEqual(try city("UTC", "2026-10-20"), "\"北京 北京\"")
        XCTAssertEqual(try city("Asia/Shanghai", "2026-10-21 00:59"), "\"上海 上海\"")
        XCTAssertEqual(try city("Asia/Shanghai", "2026-10-21 01:00"), "\"北京 北京\"")
    }
}
