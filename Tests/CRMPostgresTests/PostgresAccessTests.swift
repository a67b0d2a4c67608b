import CRMCore
@testable import CRMPostgres
import CRMTestSupport
import XCTest

/// The pieces of access control that are PostgreSQL's own: masking in SQL gives what
/// `Mask.apply` gives, the policy's WITH queries join a statement's own, and totals of
/// masked amounts stay masked.
final class PostgresAccessTests: XCTestCase {
    var store: PostgresStore!

    override func setUpWithError() throws {
        store = try PostgresStore(url: try PostgresTestDatabase.make(self), user: "t")
    }
    override func tearDown() { store?.close() }

    func testPostgresMasking_matchesTheSwiftMaskForEveryKind() throws {
        let samples = ["", "1", "1234", "12345", "13800001111", "11010519491231002X", "王芳", "欧阳娜娜",
                       "北京市朝阳区建国路八十八号", "li.na@example.com", "@example.com", "a@b@example.com", "x@", "😀😀😀😀😀"]
        for kind in [Mask.Kind.text, .email, .date, .number] {
            let sql = "SELECT \(Mask.postgresExpression("v", kind)) AS m FROM (SELECT ?::text AS v) AS s"
            for sample in samples {
                let got = try store.select(sql: sql, arguments: [.text(sample)]).rows.first?.first
                XCTAssertEqual(got, .text(Mask.apply(sample, kind)), "\(kind) of '\(sample)'")
            }
            XCTAssertEqual(try store.select(sql: sql, arguments: [.null]).rows.first?.first, .null)
        }
    }

    func testThePolicyQueries_joinTheStatementsOwn() {
        let q = "\"customer\" AS NOT MATERIALIZED (SELECT 1)"
        XCTAssertEqual(PostgresStore.prefixing("select 1", with: q), "WITH \(q) select 1")
        XCTAssertEqual(PostgresStore.prefixing("with x as (select 1) select * from x", with: q), "WITH \(q),  x as (select 1) select * from x")
        XCTAssertEqual(PostgresStore.prefixing("WITH RECURSIVE r(n) AS (select 1) select * from r", with: q),
                       "WITH RECURSIVE \(q),  r(n) AS (select 1) select * from r")
        XCTAssertEqual(PostgresStore.prefixing("select 1", with: ""), "select 1")
        // A comment before the statement's WITH (saying "with" itself) is not where it joins.
        XCTAssertEqual(PostgresStore.prefixing("-- with care\nWITH x AS (select 1) select * from x", with: q),
                       "WITH \(q),  x AS (select 1) select * from x")
    }

    func testTotalsOverAMaskedAmount_areMasked() throws {
        let sum = "SELECT sum(v) AS s, avg(v) AS a FROM (VALUES ('100'), ('250'), (NULL)) AS t(v)"
        XCTAssertEqual(try store.select(sql: sum, arguments: []).rows.first, [.text("350"), .text("175.0000000000000000")])
        let masked = "SELECT sum(v) AS s, avg(v) AS a FROM (VALUES ('100'), ('****')) AS t(v)"
        XCTAssertEqual(try store.select(sql: masked, arguments: []).rows.first, [.text("****"), .text("****")])
    }
}
