import CRMCore
@testable import CRMPostgres
import CRMShell
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

/// An owner's own private amounts and dates compare and sort as values on both stores
/// (PostgreSQL's policy column is text: `'999' > '1000'` there), and a masked one never matches.
final class MaskedValueFilterTests: XCTestCase {
    static let account = EntityDefinition(name: "account", label: "Account", fields: [
        FieldDefinition("code", .text, required: true, unique: true),
        FieldDefinition("customer", .reference("customer")),
        FieldDefinition("balance", .money, isPrivate: true),
        FieldDefinition("opened", .date, isPrivate: true),
    ], titleField: "code", owner: "core")

    /// 李娜 (agent) owns customer 1, 王强 (agent, same team) customer 2; 张伟 manages the team.
    func fill(_ admin: CRMStore & AccessControlled) throws {
        for (name, role) in [("李娜", "sales"), ("王强", "agent"), ("张伟", "manager")] {
            _ = try admin.create("user", values: ["name": .text(name), "role": .text(role), "team": .text("A")])
        }
        for owner in [1, 2] { _ = try admin.create("customer", values: ["name": .text("客户\(owner)"), "owner": .integer(Int64(owner))]) }
        try admin.install([MaskedValueFilterTests.account])
        let rows: [(String, Int64?, Int64, String)] = [("A1", 1, 99_900, "2026-01-05"), ("A2", 1, 100_000, "2025-12-31"),
                                                       ("A3", 1, 150_000, "2026-03-01"), ("A4", 1, 2_500, "2024-06-30"),
                                                       ("B1", 2, 500_000, "2026-02-01"), ("N1", nil, 700_000, "2026-02-02")]
        for (code, customer, cents, opened) in rows {
            _ = try admin.create("account", values: ["code": .text(code), "customer": customer.map(Value.integer) ?? .null,
                                                     "balance": .decimal(Fixed(units: cents, scale: 2)), "opened": .date(opened)])
        }
        try admin.enableAccess()
    }

    func codes(_ store: CRMStore, _ filter: String, order: String? = nil, descending: Bool = false) throws -> [String] {
        let sort = order.map { [SortKey(FieldRef($0), descending: descending)] } ?? []
        return try store.list(Query(entity: "account", filter: try Session.parseFilter(filter), order: sort, fields: ["code"]))
            .rows.map { $0[0].displayText }
    }

    func testOwnAmountsAndDates_compareAsValues_masksNeverMatch() throws {
        let path = TestSupport.temporaryFolder() + "/masked-filters.sqlite"
        let url = try PostgresTestDatabase.make(self)
        try fill(try SQLiteStore(path: path, user: "boss", clock: .fixed(TestSupport.now)))
        try fill(try PostgresStore(url: url, user: "boss", clock: .fixed(TestSupport.now)))
        for backend in ["SQLite", "PostgreSQL"] {
            func open(_ user: String) throws -> CRMStore & AccessControlled {
                let s: CRMStore & AccessControlled = backend == "SQLite"
                    ? try SQLiteStore(path: path, user: user, clock: .fixed(TestSupport.now))
                    : try PostgresStore(url: url, user: user, clock: .fixed(TestSupport.now))
                _ = try s.resolveIdentity(osUser: user, claimed: nil)
                return s
            }
            let agent = try open("李娜")
            XCTAssertEqual(try codes(agent, "balance > 999"), ["A2", "A3"], backend)
            XCTAssertEqual(try codes(agent, "balance >= 1000 and balance < 1500"), ["A2"], backend)
            XCTAssertEqual(try codes(agent, "balance < 1000"), ["A1", "A4"], "\(backend): N1 (no customer) is shown masked: no match")
            XCTAssertEqual(try codes(agent, "opened >= 2026-01-01"), ["A1", "A3"], backend)
            XCTAssertEqual(try codes(agent, "opened < 2025-01-01"), ["A4"], backend)
            XCTAssertEqual(try codes(agent, "id > 0", order: "balance"), ["A4", "A1", "A2", "A3", "N1"], backend)
            XCTAssertEqual(try codes(agent, "id > 0", order: "balance", descending: true), ["N1", "A3", "A2", "A1", "A4"], backend)
            let manager = try open("张伟")
            XCTAssertEqual(try codes(manager, "balance > 0"), [], "\(backend): the team's amounts are masked for a manager")
            XCTAssertEqual(try manager.count("account", where: try Session.parseFilter("balance > 0")), 0, backend)
        }
    }
}
