import CRMCore
import CRMTestSupport
import XCTest

/// Purchasing: suppliers are customers of kind supplier, lines priced to the cent, the
/// order's total, states forward only, lines locked once ordered, a contract's margin.
final class PurchasingTests: XCTestCase {
    var store: SQLiteStore!
    var contract: Int64 = 0
    var supplier: Int64 = 0

    override func setUpWithError() throws {
        store = try TestSupport.memoryStore()
        store.clock = .fixed(DateCodec.parseLocalDateTime("2026-11-22 10:00")!)
        let c = try store.create("customer", values: ["name": .text("王芳")])
        let d = try store.create("deal", values: ["customer": .integer(c), "title": .text("设备"), "stage": .text("won")])
        contract = try store.create("sales_contract", values: ["deal": .integer(d), "title": .text("HT-1"), "value": money("1000.00")])
        supplier = try store.create("customer", values: ["name": .text("精工设备"), "kind": .text("supplier")])
    }

    func money(_ text: String) -> Value { .decimal(Fixed(parsing: text, scale: 2)!) }

    func order(_ values: [String: Value] = [:]) throws -> Int64 {
        try store.create("purchase_order", values: ["supplier": .integer(supplier), "contract": .integer(contract),
                                                    "title": .text("PO")].merging(values) { $1 })
    }

    func line(_ order: Int64, _ quantity: String, _ price: String) throws -> Int64 {
        try store.create("purchase_line", values: ["purchase_order": .integer(order), "item": .text("螺栓"),
                                                   "quantity": .decimal(Fixed(parsing: quantity, scale: 3)!), "unit_price": money(price)])
    }

    func testSupplier_mustBeACustomerOfKindSupplier() throws {
        XCTAssertThrowsError(try order(["supplier": .integer(1)])) {
            XCTAssertEqual("\($0)", "purchase_order.supplier: customer 1 (王芳) is of kind person, not supplier (update customer 1 set kind=supplier)")
        }
        XCTAssertThrowsError(try store.create("purchase_order", values: ["supplier": .integer(supplier), "title": .text("x")])) {
            XCTAssertEqual("\($0)", "purchase_order.contract: an order is for a sales contract or a deal: give contract= or deal=")
        }
        let o = try order()
        XCTAssertEqual(try store.record("purchase_order", id: o)?["deal"], .integer(1), "the contract's deal")
        XCTAssertEqual(try store.record("purchase_order", id: o)?["customer"], .integer(1), "the contract's customer")
    }

    func testLineAmount_isRoundedHalfAwayFromZero_andTheTotalFollowsTheLines() throws {
        let o = try order()
        let a = try line(o, "0.335", "3.00")  // 1.005 → 1.01
        XCTAssertEqual(try store.record("purchase_line", id: a)?["amount"], money("1.01"))
        _ = try line(o, "2.5", "10.00")
        XCTAssertEqual(try store.record("purchase_order", id: o)?["total"], money("26.01"))
        try store.delete("purchase_line", id: a)
        XCTAssertEqual(try store.record("purchase_order", id: o)?["total"], money("25.00"))
    }

    func testStates_goForwardOnly_andLinesAreLockedOnceOrdered() throws {
        let o = try order()
        XCTAssertThrowsError(try store.update("purchase_order", id: o, values: ["status": .text("ordered")])) {
            XCTAssertEqual("\($0)", "purchase_order.status: an order without lines is not placed; add purchase_line records first")
        }
        let l = try line(o, "1", "100.00")
        try store.update("purchase_order", id: o, values: ["status": .text("received")])
        let r = try XCTUnwrap(try store.record("purchase_order", id: o))
        XCTAssertEqual(r["ordered"], .date("2026-11-22"))
        XCTAssertEqual(r["received"], .date("2026-11-22"))
        XCTAssertThrowsError(try store.update("purchase_order", id: o, values: ["status": .text("draft")])) {
            XCTAssertEqual("\($0)", "purchase_order.status: an order goes forward only (draft → ordered → received → paid); it is received")
        }
        XCTAssertThrowsError(try store.update("purchase_line", id: l, values: ["unit_price": money("90.00")])) {
            XCTAssertEqual("\($0)", "purchase_line.purchase_order: purchase order \(o) is received; lines change only while it is a draft")
        }
    }

    func testMargin_isTheValueLessPlacedOrders_draftsNotCounted() throws {
        let placed = try order()
        _ = try line(placed, "2", "150.00")
        try store.update("purchase_order", id: placed, values: ["status": .text("ordered")])
        let draft = try order()
        _ = try line(draft, "1", "999.00")
        let forDeal = try store.create("purchase_order", values: ["supplier": .integer(supplier), "deal": .integer(1), "title": .text("PO deal")])
        _ = try line(forDeal, "1", "50.50")
        try store.update("purchase_order", id: forDeal, values: ["status": .text("paid")])
        let m = try XCTUnwrap(try ContractMargin.all(store, contract: contract).first)
        XCTAssertEqual(m.purchases, 350_50)
        XCTAssertEqual(m.margin, 649_50)
        XCTAssertEqual(m.orders, 2)
    }
}
