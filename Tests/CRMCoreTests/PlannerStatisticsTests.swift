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
}
