import CRMCore
import CRMTestSupport
import XCTest

final class StoreWriteTests: XCTestCase {
    var store: SQLiteStore!

    override func setUpWithError() throws {
        store = try TestSupport.memoryStore()
    }

    func v(_ entity: String, _ pairs: [String: String]) throws -> [String: Value] {
        try pairs.mapValues { _ in Value.null }.keys.reduce(into: [:]) { out, key in
            out[key] = try store.parseValue(entity: entity, field: key, text: pairs[key]!)
        }
    }

    func testCreate_appliesDefaultsAndReadsBack() throws {
        let id = try store.create("customer", values: v("customer", ["name": "王芳", "phone": "13800001111"]))
        let r = try XCTUnwrap(store.record("customer", id: id))
        XCTAssertEqual(r["name"], .text("王芳"))
        XCTAssertEqual(r["stage"], .text("potential"))
        XCTAssertEqual(r["kind"], .text("person"))
        XCTAssertEqual(r["created"], .datetime("2026-11-22T10:00:00Z"))
    }

    func testUpdateWhere_countsTheRecordsThatChangedNotThoseThatMatched() throws {
        for i in 1...30 {
            _ = try store.create("customer", values: v("customer", ["name": "客户\(i)", "city": "上海", "stage": i <= 9 ? "growth" : "potential"]))
        }
        let growth = try v("customer", ["stage": "growth"])
        XCTAssertEqual(try store.update("customer", where: nil, values: growth), 21)
        XCTAssertEqual(try store.update("customer", where: nil, values: growth), 0)
    }

    func testMoney_isExact() throws {
        let c = try store.create("customer", values: v("customer", ["name": "A"]))
        let d = try store.create("deal", values: v("deal", ["customer": "\(c)", "title": "t", "amount": "1,234,567.89"]))
        XCTAssertEqual(try store.record("deal", id: d)?["amount"], .decimal(Fixed(units: 123456789, scale: 2)))
        XCTAssertThrowsError(try store.parseValue(entity: "deal", field: "amount", text: "1.234")) { error in
            XCTAssertEqual("\(error)", "deal.amount: '1.234' is not valid, expected an amount with at most 2 decimal places")
        }
    }

    func testCreate_requiredMissing_writesNothing() throws {
        XCTAssertThrowsError(try store.create("customer", values: [:])) { error in
            XCTAssertEqual("\(error)", "customer.name is required")
        }
        XCTAssertEqual(try store.count("customer", where: nil), 0)
    }

    func testUnknownEnumValue_listsAllowed() throws {
        XCTAssertThrowsError(try store.parseValue(entity: "ticket", field: "priority", text: "asap")) { error in
            XCTAssertEqual("\(error)", "ticket.priority: 'asap' is not allowed, expected one of: low, normal, high, urgent")
        }
    }

    func testUnknownField_suggestsClosest() throws {
        XCTAssertThrowsError(try store.parseValue(entity: "customer", field: "phnoe", text: "1")) { error in
            XCTAssertEqual("\(error)", "customer has no field 'phnoe' (did you mean 'phone'?)")
        }
        XCTAssertThrowsError(try store.schema.require("custmer")) { error in
            XCTAssertEqual("\(error)", "unknown entity 'custmer' (did you mean 'customer'?)")
        }
    }

    func testUnique_refusesTakenValue() throws {
        _ = try store.create("user", values: v("user", ["name": "张伟"]))
        XCTAssertThrowsError(try store.create("user", values: v("user", ["name": "张伟"]))) { error in
            XCTAssertEqual("\(error)", "user.name '张伟' is already taken by user 1")
        }
    }

    func testRange_andPattern() throws {
        let c = try store.create("customer", values: v("customer", ["name": "A"]))
        XCTAssertThrowsError(try store.create("ticket", values: v("ticket", ["customer": "\(c)", "kind": "fault", "title": "x", "satisfaction": "6"]))) {
            XCTAssertEqual("\($0)", "ticket.satisfaction: 6 is out of range (at most 5)")
        }
        XCTAssertThrowsError(try store.create("customer", values: v("customer", ["name": "B", "email": "not-an-email"]))) {
            XCTAssertTrue("\($0)".hasPrefix("customer.email: 'not-an-email' does not match"))
        }
    }

    func testReference_byTitleAndMissing() throws {
        let u = try store.create("user", values: v("user", ["name": "李娜"]))
        XCTAssertEqual(try store.parseValue(entity: "customer", field: "owner", text: "李娜"), .integer(u))
        XCTAssertThrowsError(try store.create("contact", values: v("contact", ["customer": "99", "name": "x"]))) {
            XCTAssertEqual("\($0)", "contact.customer: customer 99 does not exist")
        }
    }

    func testUpdate_auditsEachChangedField() throws {
        let id = try store.create("customer", values: v("customer", ["name": "Alice", "city": "上海"]))
        XCTAssertTrue(try store.update("customer", id: id, values: v("customer", ["city": "北京", "name": "Alice"])))
        XCTAssertFalse(try store.update("customer", id: id, values: v("customer", ["city": "北京"])))
        let h = try store.history("customer", id: id)
        XCTAssertEqual(h.rows.map { $0[3] }, [.text("create"), .text("update")])
        XCTAssertEqual(h.rows[1][4...6], [.text("city"), .text("上海"), .text("北京")])
        XCTAssertEqual(h.rows[1][1], .text("tester"))
    }

    func testDelete_refusesWhenReferenced() throws {
        let c = try store.create("customer", values: v("customer", ["name": "A"]))
        _ = try store.create("contact", values: v("contact", ["customer": "\(c)", "name": "x"]))
        _ = try store.create("task", values: v("task", ["customer": "\(c)", "title": "call"]))
        XCTAssertThrowsError(try store.delete("customer", id: c)) {
            XCTAssertEqual("\($0)", "cannot delete customer 1: still referenced by 1 contact (contact.customer), 1 task (task.customer)")
        }
        XCTAssertNotNil(try store.record("customer", id: c))
    }

    func testAtomically_rollsBackEverything() throws {
        XCTAssertThrowsError(try store.atomically {
            _ = try store.create("customer", values: v("customer", ["name": "A"]))
            _ = try store.create("customer", values: [:])
        })
        XCTAssertEqual(try store.count("customer", where: nil), 0)
        XCTAssertEqual(try store.lastAuditID(), 0)
    }

    func testBeginRollback_undoesSeveralCommands() throws {
        try store.begin()
        _ = try store.create("customer", values: v("customer", ["name": "A"]))
        _ = try store.create("customer", values: v("customer", ["name": "B"]))
        try store.rollback()
        XCTAssertEqual(try store.count("customer", where: nil), 0)
        XCTAssertThrowsError(try store.commit()) { XCTAssertEqual("\($0)", "no transaction is open (use begin first)") }
    }
}
