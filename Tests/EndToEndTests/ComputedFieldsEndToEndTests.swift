import CRMTestSupport
import Foundation
import XCTest

/// Computed and rolled-up fields through the built binary: the banking plugin's borrower
/// balance and days to maturity, and a plugin of the test's own for a bulk import.
final class ComputedFieldsEndToEndTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws { sandbox = try CRMSandbox(for: self) }
    override func tearDown() { sandbox?.remove() }

    func at(_ instant: String) -> [String: String?] { ["CRM_NOW": instant] }

    func setUpCooperative() throws {
        let r = try sandbox.crm(commands:
            "plugin enable banking",
            "add user name=王建国 grade=中级 branch=城关信用社",
            "add customer name=张大山 segment=farm id_number=11010519491231002x",
            "add loan contract=XD0001 borrower=张大山 manager=王建国 principal=12000 rate=0.06 disbursed=2026-01-15 maturity=2027-01-15",
            "add loan contract=XD0002 borrower=张大山 manager=王建国 principal=3000 rate=0.06 disbursed=2026-01-15 maturity=2027-01-15",
            environment: at("2026-01-15T09:00:00Z"))
        XCTAssertEqual(r.status, 0, "\(r)")
    }

    func borrower() throws -> String {
        let r = try sandbox.crm(commands: "lua local c = crm.get('customer', 1) print(c.loan_balance, c.active_loans, c.capital_share)")
        XCTAssertEqual(r.status, 0, "\(r)")
        return r.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testTheBorrowersBalanceFollowsItsLoans_andCannotBeTyped() throws {
        try setUpCooperative()
        XCTAssertEqual(try borrower(), "[(prompt)] 15000.0\t2\t0.0003")
        let paid = try sandbox.crm(commands: "add repayment loan=XD0001 date=2026-02-15 amount=1032.80",
                                   environment: at("2026-02-15T09:00:00Z"))
        XCTAssertEqual(paid.status, 0, "\(paid)")
        XCTAssertEqual(try sandbox.crm(commands: "count customer where loan_balance = 14027.20").stdout, "1\n",
                       "the repayment lowered the loan's balance, and the borrower's with it")
        XCTAssertEqual(try sandbox.crm(commands: "update loan 2 set status=settled").status, 0)
        XCTAssertEqual(try borrower(), "[(prompt)] 11027.2\t1\t0.0002")

        let typed = try sandbox.crm(commands: "update customer 1 set loan_balance=1")
        XCTAssertEqual(typed.status, 1)
        XCTAssertEqual(typed.stderr, "-c:1: customer.loan_balance is computed (sum of loan.balance by borrower where status = active); it cannot be set by add, update or import\n")
        try sandbox.write("name,segment,loan_balance\n李四,farm,5\n", to: "customers.csv")
        let imported = try sandbox.crm(commands: "import customer customers.csv")
        XCTAssertEqual(imported.status, 1)
        XCTAssertTrue(imported.stderr.contains("customers.csv:1: column 'loan_balance' goes to customer.loan_balance, which is computed"), imported.stderr)
        XCTAssertEqual(try sandbox.crm(commands: "count customer").stdout, "1\n")
    }

    func testASettingChangeRecomputesWhatReadsIt() throws {
        try setUpCooperative()
        let r = try sandbox.crm(commands: "setting banking.net_capital 10000000")
        XCTAssertEqual(r.stdout, "banking.net_capital = 10000000; recomputed 1 record that reads it (1 changed)\n", "\(r)")
        XCTAssertEqual(try borrower(), "[(prompt)] 15000.0\t2\t0.0015")
    }

    func testDaysToMaturityFollowTheDateThroughTheJobAndRecompute() throws {
        try setUpCooperative()
        XCTAssertEqual(try sandbox.crm(commands: "add deposit_account number=D1 customer=1 kind=time balance=1000 rate=0.015 opened=2026-03-01 matures=2026-03-31",
                                       environment: at("2026-03-01T09:00:00Z")).status, 0)
        XCTAssertEqual(try sandbox.crm(commands: "count deposit_account where days_to_maturity = 30").stdout, "1\n")
        let job = try sandbox.crm(["jobs", "run", "deposit maturity"], environment: at("2026-03-11T09:00:00Z"))
        XCTAssertEqual(job.status, 0, "\(job)")
        XCTAssertTrue(job.stdout.contains("1 time deposits, 1 changed"), job.stdout)
        XCTAssertEqual(try sandbox.crm(commands: "count deposit_account where days_to_maturity = 20").stdout, "1\n")
        let again = try sandbox.crm(commands: "recompute deposit_account", environment: at("2026-03-21T09:00:00Z"))
        XCTAssertEqual(again.stdout, "recomputed 1 deposit_account (1 changed)\n", "\(again)")
        XCTAssertEqual(try sandbox.crm(commands: "count deposit_account where days_to_maturity = 10").stdout, "1\n")
        XCTAssertTrue(try sandbox.crm(commands: "history deposit_account 1").stdout.contains("days_to_maturity"), "audited")
    }

    func testAnImportRecomputesEachGroupOncePerBatch() throws {
        try sandbox.write("return { name = \"telecom\", version = \"1\" }\n", to: "mine/telecom/plugin.lua")
        try sandbox.write("""
            crm.entity "group" {
              fields = {
                { "code", "text", required = true, unique = true },
                { "total_fee", "money", rollup = { from = "member", sum = "monthly_fee" } },
                { "members", "integer", rollup = { from = "member", count = true } },
              },
            }
            crm.entity "member" {
              fields = {
                { "line", "text", required = true },
                { "group", "ref", entity = "group" },
                { "monthly_fee", "money", default = 0 },
              },
            }
            """, to: "mine/telecom/entities.lua")
        var csv = "line,group,monthly_fee\n"
        for i in 1...2000 { csv += "1380000\(String(format: "%04d", i)),\(i % 2 == 0 ? "G1" : "G2"),10.50\n" }
        try sandbox.write(csv, to: "members.csv")
        let options = ["--plugins", sandbox.path("mine")]
        XCTAssertEqual(try sandbox.crm(commands: "plugin enable telecom", "add group code=G1", "add group code=G2", options: options).status, 0)
        let r = try sandbox.crm(commands: "import member members.csv", options: options)
        XCTAssertEqual(r.status, 0, "\(r)")
        let totals = try sandbox.crm(commands: "list group order by id", options: options + ["--format", "csv"])
        XCTAssertTrue(totals.stdout.hasPrefix("id,code,total_fee,members,created,updated\n1,G1,10500.00,1000,"), totals.stdout)
        let history = try sandbox.crm(commands: "history group 1", options: options + ["--format", "csv"])
        XCTAssertEqual(history.stdout.split(separator: "\n").count, 4, "header, created, total_fee and members once: \(history.stdout)")
    }
}
