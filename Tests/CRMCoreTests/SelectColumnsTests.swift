@testable import CRMCore
import CRMTestSupport
import XCTest

/// Which crm.query columns are money: the select list is split at top-level commas
/// (strings, quoted names, comments and parentheses skipped) and aggregates of a field
/// are found, then SQLite says which field.
final class SelectColumnsTests: XCTestCase {
    func items(_ sql: String) -> [String]? {
        SelectColumns(sql)?.items.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    func testSplitsTheOutermostListOnly() {
        XCTAssertEqual(items("select a, sum(b) as s, 'x, y' as t, coalesce(c, 0) from t"),
                       ["a", "sum(b) as s", "'x, y' as t", "coalesce(c, 0)"])
        XCTAssertEqual(items("with w as (select a, b from t) select a /* , not */ , \"from\" -- ,\n from w"),
                       ["a /* , not */", "\"from\" -- ,"])
        XCTAssertEqual(items("select (select max(x) from u), [a,b] from t where y = 'from'"), ["(select max(x) from u)", "[a,b]"])
        XCTAssertNil(items("values (1, 2)"))
    }

    func testAggregatesOfOneColumn() {
        XCTAssertEqual(SelectColumns.aggregate("sum(amount)"), .init(function: "sum", column: "amount"))
        XCTAssertEqual(SelectColumns.aggregate(" MAX( p.amount ) AS last"), .init(function: "max", column: "p.amount"))
        XCTAssertEqual(SelectColumns.aggregate("coalesce(sum(l.balance), 0) as owed"), .init(function: "sum", column: "l.balance"))
        XCTAssertEqual(SelectColumns.aggregate("avg(distinct amount) a"), .init(function: "avg", column: "amount"))
        XCTAssertNil(SelectColumns.aggregate("sum(amount) / 100.0 as y"))
        XCTAssertNil(SelectColumns.aggregate("sum(amount * 2)"))
        XCTAssertNil(SelectColumns.aggregate("coalesce(sum(amount), 1)"))
        XCTAssertNil(SelectColumns.aggregate("count(amount)"))
        XCTAssertNil(SelectColumns.aggregate("sum(case when x then amount else 0 end)"))
    }

    /// ORDER BY an alias, HAVING and GROUP BY survive the probe; a union is not guessed.
    func testMoneyColumnsThroughTheStore() throws {
        let store = try TestSupport.memoryStore()
        let c = try store.create("customer", values: ["name": .text("王芳")])
        for (t, cents) in [("a", 1001), ("b", 1002)] as [(String, Int64)] {
            _ = try store.create("deal", values: ["title": .text(t), "customer": .integer(c), "amount": .decimal(Fixed(units: cents, scale: 2))])
        }
        let r = try store.select(sql: """
            select d.customer as who, count(*) as n, sum(d.amount) as total, sum(d.amount) - 0 as raw
            from deal d group by d.customer having count(*) > 1 order by n desc, total
            """, arguments: [])
        XCTAssertEqual(r.rows, [[.integer(c), .integer(2), .decimal(Fixed(units: 2003, scale: 2)), .integer(2003)]])
    }
}
