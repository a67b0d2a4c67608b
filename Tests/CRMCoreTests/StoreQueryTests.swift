import CRMCore
import CRMTestSupport
import XCTest

final class StoreQueryTests: XCTestCase {
    var store: SQLiteStore!

    override func setUpWithError() throws {
        store = try TestSupport.memoryStore()
        for (name, phone, city) in [("王芳", "13800001111", "上海"), ("王芳芳", "13900002222", "北京"),
                                    ("Alice Wang", "+1 415 555 0100", "San Francisco"), ("李娜", nil, nil)] as [(String, String?, String?)] {
            var values: [String: Value] = ["name": .text(name)]
            if let phone { values["phone"] = .text(phone) }
            if let city { values["city"] = .text(city) }
            _ = try store.create("customer", values: values)
        }
    }

    func names(_ filter: Filter?) throws -> [String] {
        try store.list(Query(entity: "customer", filter: filter, fields: ["name"])).rows.map { $0[0].displayText }
    }

    func testFilter_notEqualKeepsNulls() throws {
        XCTAssertEqual(try names(.compare(FieldRef("city"), .ne, Literal("上海"))), ["王芳芳", "Alice Wang", "李娜"])
    }

    func testFilter_containsIsCaseInsensitive() throws {
        XCTAssertEqual(try names(.contains(FieldRef("name"), Literal("wang"))), ["Alice Wang"])
    }

    func testFilter_createdToday_matchesWholeDay() throws {
        XCTAssertEqual(try store.count("customer", where: .compare(FieldRef("created"), .eq, Literal("today"))), 4)
        XCTAssertEqual(try store.count("customer", where: .compare(FieldRef("created"), .lt, Literal("-7d"))), 0)
    }

    func testFilter_unknownField_pointsAtIt() throws {
        XCTAssertThrowsError(try names(.compare(FieldRef("ctiy", position: 21), .eq, Literal("x")))) { error in
            XCTAssertEqual(error as? QueryError, QueryError("customer has no field 'ctiy' (did you mean 'city'?)", position: 21))
        }
    }

    func testFind_twoChineseCharacters() throws {
        let rows = try store.find("王芳", limit: 10).rows
        XCTAssertEqual(rows.map { $0[2].displayText }, ["王芳", "王芳芳"])
    }

    func testFind_phoneSubstringAndShortQuery() throws {
        XCTAssertEqual(try store.find("0000222", limit: 10).rows.map { $0[2].displayText }, ["王芳芳"])
        XCTAssertEqual(try store.find("李", limit: 10).rows.map { $0[2].displayText }, ["李娜"])
        XCTAssertEqual(try store.find("ALICE", limit: 10).rows.count, 1)
    }

    func testFind_followsUpdatesAndDeletes() throws {
        try store.update("customer", id: 4, values: ["name": .text("李娜娜")])
        XCTAssertEqual(try store.find("娜娜", limit: 10).rows.count, 1)
        try store.delete("customer", id: 4)
        XCTAssertEqual(try store.find("娜娜", limit: 10).rows.count, 0)
    }

    func testOrderLimitOffset() throws {
        let q = Query(entity: "customer", order: [SortKey(FieldRef("name"), descending: true)], limit: 2, offset: 1, fields: ["name"])
        XCTAssertEqual(try store.list(q).rows.map { $0[0].displayText }, ["王芳", "李娜"])
    }
}
