import CRMCore
import CRMTestSupport
import Foundation
import GRDB
import XCTest

/// Closing the store gathers the statistics SQLite's planner lacked for the session's
/// queries (`PRAGMA optimize`), so a later run picks the selective index.
final class PlannerStatisticsTests: XCTestCase {
    func testClose_analysesTablesTheSessionQueried() throws {
        let folder = TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/crm.db"
        let store = try SQLiteStore(path: path, user: "tester")
        for name in ["王芳", "李娜"] { _ = try store.create("customer", values: ["name": .text(name)]) }
        for i in 0..<200 {
            _ = try store.create("deal", values: ["customer": .integer(Int64(i % 3 == 0 ? 1 : 2)), "title": .text("d\(i)"),
                                                  "stage": .text(i % 2 == 0 ? "won" : "lead")])
        }
        _ = try store.count("deal", where: .and(.compare(FieldRef("stage"), .eq, Literal("won")),
                                                .compare(FieldRef("customer"), .eq, Literal("1"))))
        store.close()

        let analysed = try DatabaseQueue(path: path).read { db -> [String] in
            guard try db.tableExists("sqlite_stat1") else { return [] }
            return try String.fetchAll(db, sql: "SELECT DISTINCT tbl FROM sqlite_stat1")
        }
        XCTAssertTrue(analysed.contains { $0.contains("deal") }, "analysed: \(analysed)")
    }

    /// A bulk load (an import's batch) analyses the table when it has no statistics or has
    /// doubled since it was analysed, inside the load's transaction, so the next batch's
    /// lookups and the reports after it are planned for the table as it now is.
    func testABulkLoad_analysesTheTableWhenItHasDoubled() throws {
        let folder = TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/crm.db"
        let store = try SQLiteStore(path: path, user: "tester")
        func load(_ n: Int) throws {
            try store.atomically {
                try store.buildingIndexesAfter("customer", rows: n) {
                    for i in 0..<n { _ = try store.create("customer", values: ["name": .text("c\(i)"), "city": .text(i % 2 == 0 ? "南京" : "苏州")]) }
                }
            }
        }
        let stat = { () throws -> String? in
            try DatabaseQueue(path: path).read { db -> String? in
                guard try db.tableExists("sqlite_stat1") else { return nil }
                return try String.fetchOne(db, sql: "SELECT stat FROM sqlite_stat1 WHERE tbl = 'customer' AND idx IS NOT NULL LIMIT 1")
            }
        }
        let analysed = { () throws -> Int? in try stat().flatMap { Int($0.prefix { $0 != " " }) } }
        try load(500)
        XCTAssertNil(try stat(), "a small table is left to PRAGMA optimize at close")
        try load(1_000)
        let first = try XCTUnwrap(try analysed(), "analysed once past 1,000 rows")
        XCTAssertTrue((1_000...2_000).contains(first), "about the 1,500 rows: \(first)")
        try load(100)
        XCTAssertEqual(try analysed(), first, "not again before it doubles")
        try load(3_000)
        let second = try XCTUnwrap(try analysed())
        XCTAssertGreaterThan(second, first, "again once it has doubled")
        let plan = try store.queryPlan(sql: "select id from customer where city = ? and phone = ?")
        XCTAssertEqual(plan.count, 1, "\(plan)")
        XCTAssertTrue(plan[0].hasPrefix("SEARCH customer USING INDEX"), "\(plan)")
        store.close()
    }
}
